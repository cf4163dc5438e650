// The submission service without HTTP: a real database (SQLite or MariaDB), a JobQueue without backends (so
// nothing starts) and forge-sim behind a real ForgeCatalog. Each test builds its own fixture. It checks what
// QueueRoutes used to do inline: the category and init image belong to the owner, the checkpoint is one Forge
// lists, sampler aliases and the hires upscaler become Forge's names, and the queue's refusals come back as
// values with their status and code.
#include "server/forge/ForgeCatalog.h"
#include "server/forge/ForgeClient.h"
#include "server/queue/SubmissionService.h"
#include "server/store/Database.h"
#include "tests/support/ApiTestHelpers.h"
#include "tests/support/ForgeSimProcess.h"
#include "tests/support/TestDatabaseConfig.h"
#include "tests/support/TestSupport.h"

#include <QtTest>

using namespace nav;
using namespace nav::test;

namespace {

constexpr auto kModel = "sd_xl_base_1.0";

struct Fixture {
    explicit Fixture(queue::QueueSettings settings = {}) {
        QString error;
        database = store::Database::open(databaseConfigFor(testDb), &error);
        if (!database || !database->migrate(&error))
            qFatal("database: %s", qPrintable(error));
        jobs = std::make_unique<store::JobRepository>(*database);
        categories = std::make_unique<store::CategoryRepository>(*database);
        queue = std::make_unique<queue::JobQueue>(*jobs, nullptr, settings);
        bool recovered = false;
        queue->recover([&](const QString &failure) { recovered = failure.isEmpty(); });
        if (!QTest::qWaitFor([&] { return recovered; }, 20000))
            qFatal("the queue did not recover");
        if (!sim.start())
            qFatal("forge-sim did not start: %s", sim.output().constData());
        const QUrl sdApiHost(sim.sdApiHost());
        client = std::make_unique<forge::ForgeClient>(sdApiHost, sim.url(QString()));
        catalog = std::make_unique<forge::ForgeCatalog>(client.get(), 60'000);
        service = std::make_unique<queue::SubmissionService>(*queue, *jobs, *categories, *catalog);
    }
    ~Fixture() {
        service.reset();
        catalog.reset();
        client.reset();
        queue.reset();
        categories.reset();
        jobs.reset();
        database.reset();
    }

    queue::SubmissionOutcome submit(queue::Submission submission) {
        std::optional<queue::SubmissionOutcome> outcome;
        service->submit(std::move(submission), [&](const queue::SubmissionOutcome &o) { outcome = o; });
        if (!QTest::qWaitFor([&] { return outcome.has_value(); }, 20000))
            qFatal("the submission did not finish");
        return *outcome;
    }

    QVariant scalar(const QString &sql, const QVariantList &binds = {}) const {
        return test::scalar(testDb, sql, binds);
    }
    bool exec(const QString &sql, const QVariantList &binds) const { return seed(testDb, sql, binds); }

    TestDatabase testDb;
    ForgeSimProcess sim;
    std::unique_ptr<store::Database> database;
    std::unique_ptr<store::JobRepository> jobs;
    std::unique_ptr<store::CategoryRepository> categories;
    std::unique_ptr<queue::JobQueue> queue;
    std::unique_ptr<forge::ForgeClient> client;
    std::unique_ptr<forge::ForgeCatalog> catalog;
    std::unique_ptr<queue::SubmissionService> service;
};

queue::Submission txt2img(const QString &id, const QString &owner, const QString &model = kModel) {
    queue::Submission submission;
    submission.job.id = id;
    submission.job.ownerId = owner;
    submission.job.origin = QStringLiteral("127.0.0.1");
    submission.job.taskType = QStringLiteral("txt2img");
    submission.job.modelName = model;
    submission.job.params = QJsonObject{
        {"prompt", "a lighthouse"}, {"model_name", model}, {"width", 512}, {"height", 512}, {"steps", 4}};
    return submission;
}

const queue::Refusal *refusal(const queue::SubmissionOutcome &outcome) {
    return std::get_if<queue::Refusal>(&outcome);
}

} // namespace

class SubmissionTest : public QObject {
    Q_OBJECT

private slots:
    // A sampler alias becomes Forge's name, an upscaler Forge does not have becomes one it has, and the job
    // row is written with them.
    void acceptedJobsCarryForgeNames() {
        Fixture f;
        queue::Submission submission = txt2img("sub-1", "1");
        submission.job.params.insert("sampler_name", "k_euler_a");
        submission.job.params.insert("enable_hr", true);
        submission.job.params.insert("upscaler_name", "NoSuchUpscaler");
        const auto outcome = f.submit(submission);
        const auto *accepted = std::get_if<queue::Accepted>(&outcome);
        QVERIFY(accepted);
        QCOMPARE(accepted->queueSize, 1);
        QCOMPARE(accepted->job.params.value("sampler_name").toString(), QStringLiteral("Euler a"));
        const QString upscaler = accepted->job.params.value("upscaler_name").toString();
        QVERIFY2(upscaler != QLatin1String("NoSuchUpscaler") && !upscaler.isEmpty(), qPrintable(upscaler));
        QCOMPARE(f.scalar("SELECT status FROM jobs WHERE job_id = ?", {"sub-1"}).toString(),
                 QStringLiteral("queued"));
        const QJsonObject stored =
            QJsonDocument::fromJson(
                f.scalar("SELECT params FROM jobs WHERE job_id = ?", {"sub-1"}).toByteArray())
                .object();
        QCOMPARE(stored.value("sampler_name").toString(), QStringLiteral("Euler a"));
    }

    void unknownCheckpointIsRefused() {
        Fixture f;
        const auto outcome = f.submit(txt2img("sub-2", "1", "no_such_model"));
        QVERIFY(refusal(outcome));
        QCOMPARE(refusal(outcome)->status, 400);
        QCOMPARE(refusal(outcome)->code, QStringLiteral("UNKNOWN_MODEL"));
        QVERIFY(refusal(outcome)->message.contains("no_such_model"));
        QCOMPARE(f.scalar("SELECT COUNT(*) FROM jobs").toInt(), 0);
    }

    void categoryMustBeTheOwners() {
        Fixture f;
        auto created = f.categories->create(QStringLiteral("1"), QStringLiteral("bGFuZHNjYXBlcw=="));
        created.waitForFinished();
        const qint64 category = created.result();

        queue::Submission foreign = txt2img("sub-3", "2");
        foreign.categoryId = category;
        const auto refused = f.submit(foreign);
        QVERIFY(refusal(refused));
        QCOMPARE(refusal(refused)->status, 403);
        QCOMPARE(refusal(refused)->code, QStringLiteral("CATEGORY_NOT_OWNED"));
        QCOMPARE(f.scalar("SELECT COUNT(*) FROM jobs").toInt(), 0);

        queue::Submission own = txt2img("sub-4", "1");
        own.categoryId = category;
        QVERIFY(std::holds_alternative<queue::Accepted>(f.submit(own)));
        QCOMPARE(f.scalar("SELECT category_id FROM images WHERE id = ?", {"sub-4"}).toLongLong(), category);
    }

    // img2img from a stored image: only the owner's, and its PNG becomes init_image.
    void initImageMustBeTheOwners() {
        Fixture f;
        QVERIFY(std::holds_alternative<queue::Accepted>(f.submit(txt2img("source", "1"))));
        const QByteArray png("\x89PNG not really an image");
        QVERIFY(f.exec("UPDATE images SET image_data = ? WHERE id = ?",
                       {QString::fromLatin1(png.toBase64()), "source"}));

        queue::Submission foreign = txt2img("sub-5", "2");
        foreign.job.taskType = QStringLiteral("img2img");
        foreign.initImageJobId = QStringLiteral("source");
        auto outcome = f.submit(foreign);
        QVERIFY(refusal(outcome));
        QCOMPARE(refusal(outcome)->status, 403);
        QCOMPARE(refusal(outcome)->code, QStringLiteral("IMAGE_NOT_OWNED"));

        queue::Submission missing = foreign;
        missing.job.ownerId = QStringLiteral("1");
        missing.initImageJobId = QStringLiteral("nowhere");
        outcome = f.submit(missing);
        QVERIFY(refusal(outcome));
        QCOMPARE(refusal(outcome)->status, 404);
        QCOMPARE(refusal(outcome)->code, QStringLiteral("IMAGE_NOT_FOUND"));

        queue::Submission own = foreign;
        own.job.ownerId = QStringLiteral("1");
        outcome = f.submit(own);
        const auto *accepted = std::get_if<queue::Accepted>(&outcome);
        QVERIFY(accepted);
        QCOMPARE(accepted->job.inputs.initImage, QString::fromLatin1(png.toBase64()));
    }

    // The queue's own refusals: a taken id, MAX_JOBS_PER_USER (not for the exempt), MAX_QUEUE_LENGTH.
    void queueRefusalsComeBackAsValues() {
        queue::QueueSettings settings;
        settings.maxQueueLength = 3;
        settings.maxJobsPerUser = 1;
        Fixture f(settings);
        QVERIFY(std::holds_alternative<queue::Accepted>(f.submit(txt2img("cap-1", "1"))));

        auto outcome = f.submit(txt2img("cap-1", "2"));
        QVERIFY(refusal(outcome));
        QCOMPARE(refusal(outcome)->status, 409);
        QCOMPARE(refusal(outcome)->code, QStringLiteral("JOB_ID_TAKEN"));

        outcome = f.submit(txt2img("cap-2", "1"));
        QVERIFY(refusal(outcome));
        QCOMPARE(refusal(outcome)->status, 429);
        QCOMPARE(refusal(outcome)->code, QStringLiteral("USER_QUEUE_FULL"));

        queue::Submission exempt = txt2img("cap-2", "1");
        exempt.capExempt = true;
        QVERIFY(std::holds_alternative<queue::Accepted>(f.submit(exempt)));
        QVERIFY(std::holds_alternative<queue::Accepted>(f.submit(txt2img("cap-3", "3"))));

        outcome = f.submit(txt2img("cap-4", "4"));
        QVERIFY(refusal(outcome));
        QCOMPARE(refusal(outcome)->status, 429);
        QCOMPARE(refusal(outcome)->code, QStringLiteral("QUEUE_FULL"));
        QCOMPARE(f.scalar("SELECT COUNT(*) FROM jobs").toInt(), 3);
    }

    // Forge cannot be asked: the job is queued as it is, to wait for Forge durably.
    void forgeDownQueuesAsIs() {
        Fixture f;
        f.sim.kill();
        queue::Submission submission = txt2img("sub-6", "1", "not_checked_while_forge_is_down");
        submission.job.params.insert("sampler_name", "k_euler_a");
        const auto outcome = f.submit(submission);
        const auto *accepted = std::get_if<queue::Accepted>(&outcome);
        QVERIFY(accepted);
        QCOMPARE(accepted->job.params.value("sampler_name").toString(), QStringLiteral("k_euler_a"));
        QCOMPARE(f.scalar("SELECT COUNT(*) FROM jobs").toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(SubmissionTest)
#include "tst_submission.moc"
