// The lookup endpoints against navigator and forge-sim: /api/models merged with the models table (and its
// refresh with the models-refreshed event); shapes and JSON types of samplers, schedulers,
// upscalers, modules and embeddings; 502 BACKEND_UNAVAILABLE when Forge is down; the cache of the lists
// that rarely change, and its clearing by GET /api/models?refresh=true.
#include "shared/realtime/SocketIoClient.h"
#include "tests/support/ForgeSimProcess.h"
#include "tests/support/TestUsers.h"

#include <QSqlQuery>

#include <QtTest>

using namespace nav::test;

class TestLookups : public QObject {
    Q_OBJECT
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<ForgeSimProcess> m_sim;
    std::unique_ptr<NavigatorInstance> m_nav;

    HttpReply get(const QString &path) { return http("GET", m_nav->url(path)); }
    // refresh=true rescans Forge only for role 2 or more (issue 12).
    HttpReply refreshAs(int role) {
        const QString id = QStringLiteral("40000000000000000%1").arg(role);
        if (!seedUser(*m_db, id, role))
            return {};
        return http("GET", m_nav->url("/api/models?refresh=true"), {},
                    {{"Authorization", bearerToken(m_nav->secretKey(), id, role)}});
    }
    // Counts models-refreshed events on a socket.io client while `action` runs (and a second after).
    int refreshEventsDuring(const std::function<void()> &action) {
        nav::realtime::SocketIoClient client;
        client.setUrl(m_nav->rtUrl());
        int events = 0;
        connect(&client, &nav::realtime::SocketIoClient::event, this,
                [&](const QString &name, const QJsonArray &) { events += name == "models-refreshed"; });
        client.open();
        if (!QTest::qWaitFor([&] { return client.isConnected(); }, 15000))
            return -1;
        action();
        QTest::qWait(1500);
        client.close();
        return events;
    }

    void startAll() {
        m_sim = std::make_unique<ForgeSimProcess>();
        QVERIFY2(m_sim->start(), m_sim->output().constData());
        m_nav = std::make_unique<NavigatorInstance>(
            *m_db, QHash<QString, QString>{{"SD_API_HOST", m_sim->sdApiHost()}});
        QVERIFY2(m_nav->start(), m_nav->process().output().constData());
    }

private slots:
    void init() {
        m_db = std::make_unique<TestDatabase>();
        startAll();
    }
    void cleanup() {
        m_nav.reset();
        m_sim.reset();
        m_db.reset();
    }

    void modelsAreMergedWithTheTable() {
        const HttpReply before = get("/api/models");
        QCOMPARE(before.status, 200);
        const QJsonArray forge = before.json().value("models").toArray();
        QVERIFY(forge.size() >= 2);
        for (const QJsonValue &model : forge) {
            QCOMPARE(model.toObject().value("known"), QJsonValue(false));
            QVERIFY(model.toObject().value("model_name").isString());
            QVERIFY(model.toObject().value("title").isString());
            QVERIFY(!model.toObject().contains("id"));
        }
        const QString first = forge.at(0).toObject().value("model_name").toString();
        const QString second = forge.at(1).toObject().value("model_name").toString();
        QSqlQuery query(QSqlDatabase::database(m_db->connectionName()));
        QVERIFY(
            query.exec(QStringLiteral("INSERT INTO models (model_name, friendly_name, is_restricted) VALUES "
                                      "('%1', 'First Model', 1), ('%2', NULL, 0), ('not_in_forge', 'x', 0)")
                           .arg(first, second)));
        const QJsonArray merged = get("/api/models").json().value("models").toArray();
        QCOMPARE(merged.size(), forge.size()); // rows Forge does not have are not listed
        const QJsonObject known = merged.at(0).toObject();
        QCOMPARE(known.value("known"), QJsonValue(true));
        QVERIFY(known.value("id").isDouble());
        QCOMPARE(known.value("friendly_name").toString(), QStringLiteral("First Model"));
        QCOMPARE(known.value("is_restricted"), QJsonValue(true));
        QCOMPARE(known.value("title"), forge.at(0).toObject().value("title"));
        const QJsonObject unnamed = merged.at(1).toObject();
        QCOMPARE(unnamed.value("known"), QJsonValue(true));
        QVERIFY(unnamed.value("friendly_name").isNull());
        QCOMPARE(unnamed.value("is_restricted"), QJsonValue(false));
        for (int i = 2; i < merged.size(); ++i)
            QCOMPARE(merged.at(i).toObject().value("known"), QJsonValue(false));
    }

    void refreshBroadcastsModelsRefreshed() {
        nav::realtime::SocketIoClient client;
        client.setUrl(m_nav->rtUrl());
        QStringList events;
        connect(&client, &nav::realtime::SocketIoClient::event, this,
                [&](const QString &name, const QJsonArray &args) {
                    if (name == "models-refreshed" && args.first().toObject().value("message").isString())
                        events << name;
                });
        client.open();
        QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 15000);
        QCOMPARE(get("/api/models?refresh=false").status, 200);
        const HttpReply reply = refreshAs(2);
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.json().value("models").isArray());
        QTRY_COMPARE_WITH_TIMEOUT(events.size(), 1, 15000);
        client.close();
    }

    void refreshNeedsRoleTwo() {
        // Issue 12: anyone could make Forge rescan. Without role 2 the cached list is the answer.
        HttpReply anonymous, apprentice;
        const int events = refreshEventsDuring([&] {
            anonymous = get("/api/models?refresh=true");
            apprentice = refreshAs(1);
        });
        QCOMPARE(anonymous.status, 200);
        QVERIFY(anonymous.json().value("models").isArray());
        QCOMPARE(apprentice.status, 200);
        QCOMPARE(events, 0);
    }

    void refreshAtMostOncePerInterval() {
        HttpReply first, second;
        const int events = refreshEventsDuring([&] {
            first = refreshAs(2);
            second = refreshAs(4);
        });
        QCOMPARE(first.status, 200);
        QCOMPARE(second.status, 200); // the cached answer
        QCOMPARE(events, 1);
    }

    void samplersAreCutTo24WithoutAll() {
        const HttpReply all = get("/api/samplers?all=true");
        QCOMPARE(all.status, 200);
        const QJsonArray full = all.jsonArray();
        QVERIFY(full.size() > 24);
        for (const QJsonValue &sampler : full) {
            QVERIFY(sampler.toObject().value("name").isString());
            QVERIFY(sampler.toObject().value("aliases").isArray());
        }
        const HttpReply some = get("/api/samplers");
        QCOMPARE(some.status, 200);
        QCOMPARE(some.jsonArray().size(), 24);
        QCOMPARE(some.jsonArray().first(), full.first());
        QCOMPARE(get("/api/samplers?all").jsonArray().size(), full.size());
    }

    void schedulersHaveNameAndLabel() {
        const HttpReply reply = get("/api/schedulers");
        QCOMPARE(reply.status, 200);
        QVERIFY(!reply.jsonArray().isEmpty());
        for (const QJsonValue &scheduler : reply.jsonArray()) {
            QVERIFY(scheduler.toObject().value("name").isString());
            QVERIFY(scheduler.toObject().value("label").isString());
        }
    }

    void upscalersLeaveOutNone() {
        const HttpReply reply = get("/api/upscalers");
        QCOMPARE(reply.status, 200);
        QVERIFY(!reply.jsonArray().isEmpty());
        for (const QJsonValue &upscaler : reply.jsonArray()) {
            QVERIFY(upscaler.toObject().value("name").isString());
            QVERIFY(upscaler.toObject().value("name").toString() != "None");
            QVERIFY(upscaler.toObject().value("scale").isDouble());
        }
    }

    void modulesPassThrough() {
        const HttpReply reply = get("/api/modules");
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.body.trimmed().startsWith('['));
        for (const QJsonValue &module : reply.jsonArray())
            QVERIFY(module.toObject().value("model_name").isString());
    }

    void embeddingsAreNames() {
        const HttpReply reply = get("/api/models/embeddings");
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.body.trimmed().startsWith('['));
        for (const QJsonValue &name : reply.jsonArray())
            QVERIFY(name.isString());
    }

    void listsAreCachedUntilRefresh() {
        QCOMPARE(get("/api/samplers").status, 200);
        QCOMPARE(get("/api/schedulers").status, 200);
        m_sim->kill();
        // Cached lists survive Forge going away; lists read fresh do not.
        QCOMPARE(get("/api/samplers").status, 200);
        QCOMPARE(get("/api/schedulers").status, 200);
        QCOMPARE(get("/api/models/embeddings").status, 502);
        // A refresh clears the cache (and fails itself, since Forge is down).
        QCOMPARE(refreshAs(3).status, 502);
        const HttpReply after = get("/api/samplers");
        QCOMPARE(after.status, 502);
        QCOMPARE(after.json().value("error_code").toString(), QStringLiteral("BACKEND_UNAVAILABLE"));
    }

    void unreachableForgeIs502() {
        m_sim->kill();
        for (const char *path : {"/api/samplers", "/api/samplers?all=true", "/api/schedulers",
                                 "/api/upscalers", "/api/modules", "/api/models/embeddings", "/api/models"}) {
            const HttpReply reply = get(path);
            QVERIFY2(reply.status == 502, path);
            QCOMPARE(reply.json().value("error_code").toString(), QStringLiteral("BACKEND_UNAVAILABLE"));
            QVERIFY(reply.json().value("error").isString());
        }
    }
};

QTEST_GUILESS_MAIN(TestLookups)
#include "tst_lookups.moc"
