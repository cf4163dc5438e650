// The guard's role cache (AUTH_ROLE_CACHE_MS), with a counting role table standing in for the database and a
// clock the test moves: a role read is reused within the TTL and read again after it; 0 reads every time;
// a failed lookup and a lookup that raced an invalidation are not kept; overlapping lookups share one read;
// the size stays bounded; a role that answered a request is read ahead of its expiry, one nobody asked for is
// not. Then AuthService over real loopback HTTP: one lookup for many requests, and
// forgetRole (what Navigator calls after every role it writes) applying to the very next request.
#include "server/auth/AuthService.h"
#include "server/auth/RoleCache.h"
#include "server/config/Config.h"
#include "server/http/HttpServer.h"
#include "server/store/DbError.h"
#include "tests/support/TestSupport.h"

#include <QJsonObject>
#include <QPromise>
#include <QtTest>

using namespace nav;
using nav::auth::RoleCache;
using nav::test::HttpReply;

namespace {

// The users table: counts lookups; can fail, or hold lookups open until the test answers them.
struct RoleTable {
    QHash<QString, int> roles;
    int lookups = 0;
    bool down = false;
    bool holdLookups = false;
    QList<std::pair<QString, std::shared_ptr<QPromise<std::optional<int>>>>> held;

    std::optional<int> roleOf(const QString &id) const {
        return roles.contains(id) ? std::optional<int>(roles.value(id)) : std::nullopt;
    }
    auth::RoleLookup lookup() {
        return [this](const QString &id) {
            ++lookups;
            if (down)
                return QtFuture::makeExceptionalFuture<std::optional<int>>(
                    store::DbError(QStringLiteral("server has gone away"), true));
            if (holdLookups) {
                auto promise = std::make_shared<QPromise<std::optional<int>>>();
                promise->start();
                held.append({id, promise});
                return promise->future();
            }
            return QtFuture::makeReadyFuture(roleOf(id));
        };
    }
    // Answers the oldest held lookup with `role` (what the database returned when it ran).
    void answerHeld(std::optional<int> role) {
        const auto promise = held.takeFirst().second;
        promise->addResult(role);
        promise->finish();
    }
};

// What fetch() answered, once it answered.
struct Seen {
    bool answered = false;
    std::optional<int> role;
    bool failed = false;
    RoleCache::Callback callback() {
        return [this](const RoleCache::Answer &answer) {
            answered = true;
            role = answer.role;
            failed = bool(answer.error);
        };
    }
};

} // namespace

class RoleCacheTest : public QObject {
    Q_OBJECT

    RoleTable m_table;
    qint64 m_now = 0;
    RoleCache::Clock clock() {
        return [this] { return m_now; };
    }
    std::optional<int> fetch(RoleCache &cache, const QString &id) {
        Seen seen;
        cache.fetch(id, seen.callback());
        [&] { QVERIFY2(seen.answered, "a ready lookup or a kept role is answered at once"); }();
        return seen.role;
    }

    // AuthService behind a real HTTP server: GET /guarded/<minRole> answers the caller's role.
    config::Config m_config;
    std::unique_ptr<auth::AuthService> m_auth;
    std::unique_ptr<http::HttpServer> m_server;
    void startGuard(int cacheMs) {
        m_config.secretKey = QStringLiteral("cache-secret");
        m_config.authRoleCacheMs = cacheMs;
        m_auth = std::make_unique<auth::AuthService>(m_config, m_table.lookup());
        m_server = std::make_unique<http::HttpServer>(http::ConnectionLimits{});
        m_server->get("/guarded/:min", [this](const http::Request &req, http::Responder res) {
            m_auth->require(req, res, req.param("min").toInt(), [res](const auth::Caller &caller) mutable {
                res.json(200, QJsonObject{{"role", caller.role}});
            });
        });
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    }
    HttpReply call(int minRole, const QString &id) {
        const QByteArray bearer = "Bearer " + m_auth->sign(id, 1, 60'000).toUtf8();
        return test::http(
            "GET", QUrl(QStringLiteral("http://127.0.0.1:%1/guarded/%2").arg(m_server->port()).arg(minRole)),
            {}, {{"Authorization", bearer}});
    }

private slots:
    void init() {
        m_table = RoleTable{};
        m_table.roles = {{"100", 1}, {"300", 3}, {"500", 0}};
        m_now = 1'000'000;
    }
    void cleanup() {
        m_server.reset();
        m_auth.reset();
    }

    void keepsARoleForTheTtl() {
        RoleCache cache(m_table.lookup(), 1000, RoleCache::kDefaultCapacity, clock());
        QCOMPARE(fetch(cache, "300"), std::optional<int>(3));
        QCOMPARE(m_table.lookups, 1);
        m_now += 999;
        QCOMPARE(fetch(cache, "300"), std::optional<int>(3));
        QCOMPARE(m_table.lookups, 1);
        // Expired: read again, and the answer is kept anew.
        m_table.roles["300"] = 2;
        m_now += 1;
        QCOMPARE(fetch(cache, "300"), std::optional<int>(2));
        QCOMPARE(m_table.lookups, 2);
        QCOMPARE(fetch(cache, "300"), std::optional<int>(2));
        QCOMPARE(m_table.lookups, 2);
    }

    void unknownAndDisabledUsersAreKeptToo() {
        RoleCache cache(m_table.lookup(), 1000, RoleCache::kDefaultCapacity, clock());
        QCOMPARE(fetch(cache, "999"), std::nullopt);
        QCOMPARE(fetch(cache, "500"), std::optional<int>(0));
        QCOMPARE(fetch(cache, "999"), std::nullopt);
        QCOMPARE(fetch(cache, "500"), std::optional<int>(0));
        QCOMPARE(m_table.lookups, 2);
    }

    void zeroTtlReadsEveryTime() {
        RoleCache cache(m_table.lookup(), 0, RoleCache::kDefaultCapacity, clock());
        for (int i = 1; i <= 3; ++i) {
            QCOMPARE(fetch(cache, "100"), std::optional<int>(1));
            QCOMPARE(m_table.lookups, i);
        }
        QCOMPARE(cache.size(), 0);
    }

    void failedLookupIsNotKept() {
        RoleCache cache(m_table.lookup(), 60'000, RoleCache::kDefaultCapacity, clock());
        m_table.down = true;
        Seen seen;
        cache.fetch("300", seen.callback());
        QVERIFY(seen.answered && seen.failed);
        QCOMPARE(cache.size(), 0);
        m_table.down = false;
        QCOMPARE(fetch(cache, "300"), std::optional<int>(3));
        QCOMPARE(m_table.lookups, 2);
    }

    void invalidateReadsAgain() {
        RoleCache cache(m_table.lookup(), 60'000, RoleCache::kDefaultCapacity, clock());
        QCOMPARE(fetch(cache, "300"), std::optional<int>(3));
        QCOMPARE(fetch(cache, "100"), std::optional<int>(1));
        m_table.roles["300"] = 0;
        cache.invalidate("300");
        QCOMPARE(fetch(cache, "300"), std::optional<int>(0));
        QCOMPARE(m_table.lookups, 3);
        // Other ids stay kept.
        QCOMPARE(fetch(cache, "100"), std::optional<int>(1));
        QCOMPARE(m_table.lookups, 3);
    }

    // A lookup read the old role, then the role was written and invalidated, then the lookup's answer
    // arrived: keeping it would undo the invalidation for a whole TTL.
    void lookupThatRacesAnInvalidationIsNotKept() {
        RoleCache cache(m_table.lookup(), 60'000, RoleCache::kDefaultCapacity, clock());
        m_table.holdLookups = true;
        Seen before;
        cache.fetch("300", before.callback());
        QCOMPARE(m_table.held.size(), 1);
        m_table.roles["300"] = 0;
        cache.invalidate("300");
        // A request after the invalidation does not wait for the stale lookup: it starts its own.
        Seen after;
        cache.fetch("300", after.callback());
        QCOMPARE(m_table.held.size(), 2);
        m_table.answerHeld(3); // the stale read
        QVERIFY(before.answered && before.role == 3);
        QVERIFY(!after.answered);
        QCOMPARE(cache.size(), 0);
        m_table.answerHeld(m_table.roleOf("300"));
        QVERIFY(after.answered && after.role == 0);
        m_table.holdLookups = false;
        QCOMPARE(fetch(cache, "300"), std::optional<int>(0));
        QCOMPARE(m_table.lookups, 2);
    }

    void overlappingLookupsShareOneRead() {
        RoleCache cache(m_table.lookup(), 60'000, RoleCache::kDefaultCapacity, clock());
        m_table.holdLookups = true;
        Seen first, second, third;
        cache.fetch("300", first.callback());
        cache.fetch("300", second.callback());
        cache.fetch("300", third.callback());
        QCOMPARE(m_table.lookups, 1);
        QVERIFY(!first.answered && !second.answered && !third.answered);
        m_table.answerHeld(3);
        QVERIFY(first.role == 3 && second.role == 3 && third.role == 3);
        // A shared lookup that fails fails for everyone waiting, and is not kept.
        cache.invalidate("300");
        Seen x, y;
        cache.fetch("300", x.callback());
        cache.fetch("300", y.callback());
        QCOMPARE(m_table.lookups, 2);
        const auto promise = m_table.held.takeFirst().second;
        promise->setException(std::make_exception_ptr(store::DbError(QStringLiteral("lost"), true)));
        promise->finish();
        QVERIFY(x.answered && x.failed && y.answered && y.failed);
        QCOMPARE(cache.size(), 0);
    }

    void sizeIsBounded() {
        RoleCache cache(m_table.lookup(), 60'000, 100, clock());
        for (int i = 0; i < 1000; ++i) {
            m_now += 1;
            fetch(cache, QString::number(10'000 + i));
            QVERIFY2(cache.size() <= 100, qPrintable(QString::number(cache.size())));
        }
        // The newest stayed, the oldest went.
        const int lookups = m_table.lookups;
        fetch(cache, QString::number(10'999));
        QCOMPARE(m_table.lookups, lookups);
        fetch(cache, QString::number(10'000));
        QCOMPARE(m_table.lookups, lookups + 1);
    }

    void expiredEntriesMakeRoomFirst() {
        RoleCache cache(m_table.lookup(), 1000, 10, clock());
        for (int i = 0; i < 10; ++i)
            fetch(cache, QString::number(20'000 + i));
        QCOMPARE(cache.size(), 10);
        m_now += 1000;
        fetch(cache, "300");
        QCOMPARE(cache.size(), 1);
    }

    // A role that answered a request is read again a tenth of the TTL before it expires, so the request after
    // the TTL finds a fresh one; a read ahead nobody used is the last.
    void usedRolesAreReadAhead() {
        RoleCache cache(m_table.lookup(), 1000, RoleCache::kDefaultCapacity, clock());
        QCOMPARE(fetch(cache, "300"), std::optional<int>(3));
        m_now += 899;
        cache.refreshDue();
        QCOMPARE(m_table.lookups, 1);
        m_table.roles["300"] = 2;
        m_now += 1;
        cache.refreshDue();
        QCOMPARE(m_table.lookups, 2);
        m_now += 100; // the first read has expired; the read ahead answers
        QCOMPARE(fetch(cache, "300"), std::optional<int>(2));
        QCOMPARE(m_table.lookups, 2);
        m_now += 800; // used, so read ahead again
        cache.refreshDue();
        QCOMPARE(m_table.lookups, 3);
        m_now += 900; // not used since: not read again, and it expires
        cache.refreshDue();
        QCOMPARE(m_table.lookups, 3);
        m_now += 100;
        QCOMPARE(fetch(cache, "300"), std::optional<int>(2));
        QCOMPARE(m_table.lookups, 4);
    }

    void readAheadThatRacesAnInvalidationIsNotKept() {
        RoleCache cache(m_table.lookup(), 1000, RoleCache::kDefaultCapacity, clock());
        QCOMPARE(fetch(cache, "300"), std::optional<int>(3));
        m_now += 900;
        m_table.holdLookups = true;
        cache.refreshDue();
        QCOMPARE(m_table.held.size(), 1);
        m_table.roles["300"] = 0;
        cache.invalidate("300");
        m_table.answerHeld(3); // read before the change
        QCOMPARE(cache.size(), 0);
        m_table.holdLookups = false;
        QCOMPARE(fetch(cache, "300"), std::optional<int>(0));
    }

    // The read ahead runs by itself on the event loop (real clock, short TTL), once per use.
    void guardReadsAheadOnItsOwn() {
        startGuard(300);
        QCOMPARE(call(1, "100").status, 200);
        QCOMPARE(m_table.lookups, 1);
        QTRY_COMPARE(m_table.lookups, 2);
        QTest::qWait(700); // the read ahead answered no request: no third read
        QCOMPARE(m_table.lookups, 2);
    }

    // The guard: requests within the TTL cost one lookup, whether HTTP or realtime.
    void guardReadsOncePerTtl() {
        startGuard(60'000);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(call(3, "300").status, 200);
        bool verified = false;
        m_auth->verifyToken(m_auth->sign("300", 3, 60'000), [&](std::optional<auth::Caller> caller) {
            verified = caller && caller->role == 3;
        });
        QVERIFY(verified);
        QCOMPARE(m_table.lookups, 1);
    }

    void guardWithoutCacheReadsEveryRequest() {
        startGuard(0);
        for (int i = 1; i <= 3; ++i) {
            QCOMPARE(call(1, "100").status, 200);
            QCOMPARE(m_table.lookups, i);
        }
    }

    // A change made behind the guard's back waits for the TTL; one it is told of applies at once.
    void forgetRoleAppliesToTheNextRequest() {
        startGuard(60'000);
        QCOMPARE(call(3, "300").status, 200);
        m_table.roles["300"] = 1;
        QCOMPARE(call(3, "300").status, 200);
        m_auth->forgetRole("300");
        const HttpReply demoted = call(3, "300");
        QCOMPARE(demoted.status, 403);
        QCOMPARE(demoted.json().value("error_code").toString(), QString("INSUFFICIENT_ROLE"));
        m_table.roles["300"] = 0;
        m_auth->forgetRole("300");
        QCOMPARE(call(1, "300").json().value("error_code").toString(), QString("USER_DISABLED"));
        QCOMPARE(m_table.lookups, 3);
    }

    void guardDoesNotKeepADatabaseError() {
        startGuard(60'000);
        m_table.down = true;
        const HttpReply failed = call(1, "100");
        QCOMPARE(failed.status, 503);
        QCOMPARE(failed.json().value("error_code").toString(), QString("DATABASE_UNAVAILABLE"));
        m_table.down = false;
        QCOMPARE(call(1, "100").status, 200);
        QCOMPARE(m_table.lookups, 2);
    }
};

QTEST_GUILESS_MAIN(RoleCacheTest)
#include "tst_rolecache.moc"
