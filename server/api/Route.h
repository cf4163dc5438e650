#pragma once
// The shape of one row of the route table (Routes.cpp) and the functions that read the table: register it
// on the HTTP server, print it (navigator --routes).
#include "server/api/Services.h"
#include "server/auth/Caller.h"
#include "server/http/HttpServer.h"

#include <QStringList>

#include <functional>
#include <vector>

namespace nav::api {

// minRole of the routes anyone may call without credentials.
constexpr int kPublic = -1;

// Every handler has this signature. For a row with a minimum role the guard (AuthService::require) has
// already answered 401/403 to callers without it, and `caller` is who is calling; for a public row `caller`
// is empty (no discordId, role RoleNone).
using RouteHandler = void (*)(Services &services, const http::Request &req, http::Responder res,
                              const auth::Caller &caller);

struct Route {
    const char *method;      // GET (also answers HEAD), POST, PUT, PATCH or DELETE
    const char *path;        // http::RoutePattern syntax: /api/images/:jobId, /3papi/civitai/api-proxy/*
    int minRole;             // kPublic, or the auth::Role the caller needs at least
    const char *operationId; // the route's stable name (OpenAPI operationId); also the handler's name
    RouteHandler handler;
};

// Every route Navigator serves, in matching order (the first row whose path matches wins).
const std::vector<Route> &routes();

using RouteFilter = std::function<bool(const Route &)>;

// Registers the rows for which `include` is true (all when it is empty), each behind the auth guard of its
// minimum role. `services` must outlive the server.
void registerRoutes(http::HttpServer &server, Services &services, const RouteFilter &include = {});
// A filter for registerRoutes that keeps the rows with these operation ids (tests that serve a few routes).
RouteFilter onlyOperations(const QStringList &operationIds);

// "public", "apprentice (1)", ... "apex (4)".
QString roleName(int minRole);
// The table as text, one route a line: method, path, minimum role, operation id.
QString describeRoutes();

} // namespace nav::api
