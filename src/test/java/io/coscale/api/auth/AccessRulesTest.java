package io.coscale.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessRulesTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "POST,   /v1/pools/demo/jobs,          SUBMIT",
            "POST,   /v1/pools/demo/jobs:batch,    SUBMIT",
            "POST,   /v1/pools/demo/jobs:counted,  REPLICA",
            "POST,   /v1/pools/demo/jobs/,         SUBMIT",
            "POST,   /v1/claim,                    WORKER",
            "POST,   /v1/release,                  WORKER",
            "post,   /v1/release,                  WORKER",
            "GET,    /v1/pools,                    READ",
            "GET,    /v1/pools/demo,               READ",
            "GET,    /v1/pools/demo/events,        READ",
            "GET,    /v1/pools/demo/samples,       READ",
            "HEAD,   /v1/pools/demo,               READ",
            "GET,    /v1/leader,                   READ",
            "HEAD,   /v1/leader,                   READ",
            "POST,   /v1/leader,                   ADMIN",
            "GET,    /v1/leader/x,                 ADMIN",
            "GET,    /local/v1/emulator,           ADMIN",
            "POST,   /local/faults,                ADMIN",
            "GET,    /v1/claim,                    ADMIN",
            "DELETE, /v1/pools/demo,               ADMIN",
            "PUT,    /v1/pools/demo,               ADMIN",
            "GET,    /v1/pools/demo/definition,    READ",
            "GET,    /v1/pools/demo/jobs,          READ",
            "POST,   /v1/pools,                    ADMIN",
            "POST,   /v1/pools/demo/jobs/extra,    ADMIN",
            "GET,    /v1/something-new,            ADMIN",
            "GET,    /v1,                          ADMIN",
            "POST,   //v1//claim,                  WORKER",
            "POST,   /x/../v1/claim,               WORKER",
            "POST,   /./v1/./claim,                WORKER",
            "POST,   /v1;a=b/claim,                WORKER",
            "GET,    /V1/pools,                    READ",
            "GET,    /../local/x,                  ADMIN",
            "GET,    /q/health/live,               OPEN",
            "GET,    /open/probe,                  OPEN",
            "GET,    /,                            OPEN",
            "GET,    /status.js,                   OPEN",
            "GET,    /vendor/uPlot.iife.min.js,    OPEN",
            "GET,    /v1/../q/health,              OPEN",
            "GET,    /v10/pools,                   OPEN",
    })
    void requiredRole(String method, String path, String expected) {
        Optional<Role> want = expected.equals("OPEN") ? Optional.empty() : Optional.of(Role.valueOf(expected));
        assertEquals(want, AccessRules.requiredRole(method, path));
    }
}
