package org.vtpmmigrate.management.internal;

import java.util.Set;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementService;
import org.vtpmmigrate.management.Role;

/**
 * One endpoint: method, path, who may call it, the request body type (null for none), the query
 * parameters it accepts, and what it does with the service.
 */
public record Route(String method, PathTemplate path, Set<Role> roles, Class<?> bodyType, Set<String> queryParameters,
        Action action) {

    public Route {
        roles = Set.copyOf(roles);
        queryParameters = Set.copyOf(queryParameters);
    }

    /** The work of a route. */
    @FunctionalInterface
    public interface Action {
        Reply run(ApiRequest request, ManagementService service) throws ManagementException;
    }

    /** A request to one route after routing, authentication and body parsing. */
    public interface ApiRequest {
        /** A path parameter, checked to be an identifier. */
        String pathId(String name) throws ManagementException;

        /** A query parameter as an integer in min..max, or {@code absent} when not given. */
        long queryLong(String name, long absent, long min, long max) throws ManagementException;

        /** The parsed request body. */
        <T> T body(Class<T> type);
    }
}
