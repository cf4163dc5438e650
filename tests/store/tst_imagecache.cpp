// The decoded-image cache behind GET /api/images/:id, on its own and through JobRepository/ImageRepository
// against a real database: the byte bound holds under a flood of distinct images, the least recently used go
// first, a deleted or rewritten image never comes back from memory (nor by the fill that follows a finish),
// and a read that raced a delete cannot put the old bytes back.
#include "server/store/Database.h"
#include "server/store/ImageCache.h"
#include "server/store/ImageRepository.h"
#include "server/store/JobRepository.h"
#include "tests/support/TestDatabaseConfig.h"
#include "tests/support/TestSupport.h"

#include <QCryptographicHash>
#include <QtTest>

using namespace nav;
using namespace nav::test;

namespace {

// Distinct, PNG-sized payloads: the cache does not parse them, so any bytes will do.
QByteArray fakePng(int n, int size) {
    QByteArray bytes("\x89PNG\r\n\x1a\n");
    bytes += QByteArray::number(n);
    bytes.resize(size, char('a' + n % 26));
    return bytes;
}

const QString kOwner = QStringLiteral("111111111111111111");

} // namespace

class ImageCacheTest : public QObject {
    Q_OBJECT

    std::unique_ptr<TestDatabase> m_testDb;
    std::unique_ptr<store::Database> m_db;

    // A job whose image row exists, finished with `png`.
    void finishJob(store::JobRepository &jobs, const QString &id, const QByteArray &png) {
        store::Job job;
        job.id = id;
        job.ownerId = kOwner;
        job.origin = QStringLiteral("127.0.0.1");
        job.taskType = QStringLiteral("txt2img");
        job.modelName = QStringLiteral("m");
        QCOMPARE(jobs.enqueue(job, std::nullopt).result().result,
                 store::JobRepository::EnqueueResult::Inserted);
        jobs.markFinished(id, png.toBase64(), {}, QStringLiteral("finished")).waitForFinished();
    }

private slots:
    void initTestCase() {
        m_testDb = std::make_unique<TestDatabase>();
        QString error;
        m_db = store::Database::open(databaseConfigFor(*m_testDb), &error);
        QVERIFY2(m_db, qPrintable(error));
        QVERIFY2(m_db->migrate(&error), qPrintable(error));
    }
    void cleanupTestCase() {
        m_db.reset();
        m_testDb.reset();
    }

    void etagIsTheTruncatedSha256() {
        const QByteArray png = fakePng(1, 1000);
        const QByteArray expected =
            '"' + QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex().left(32) + '"';
        QCOMPARE(store::imageEtag(png), expected);
    }

    void boundHoldsUnderAFloodAndOldestGoFirst() {
        const qint64 budget = 1 << 20;
        store::ImageCache cache(budget);
        const int size = 50'000;
        for (int i = 0; i < 500; ++i) {
            const QByteArray png = fakePng(i, size);
            cache.insert(QString::number(i), {png, store::imageEtag(png)}, std::nullopt);
            QVERIFY2(cache.bytes() <= budget, qPrintable(QString::number(cache.bytes())));
        }
        QVERIFY(cache.count() >= 15); // about 20 fit
        QVERIFY(cache.count() <= 21);
        QVERIFY(cache.find(QStringLiteral("499")));
        QVERIFY(!cache.find(QStringLiteral("0")));
        // Touching an entry keeps it: the next insert evicts the least recently used one instead.
        const int oldest = 500 - cache.count();
        QVERIFY(cache.find(QString::number(oldest)));
        const QByteArray png = fakePng(500, size);
        cache.insert(QStringLiteral("500"), {png, store::imageEtag(png)}, std::nullopt);
        QVERIFY(cache.find(QString::number(oldest)));
        QVERIFY(!cache.find(QString::number(oldest + 1)));
    }

    void oversizedImagesAndAZeroBudgetAreNotKept() {
        store::ImageCache small(10'000);
        small.insert(QStringLiteral("big"), {fakePng(1, 20'000), "\"x\""}, std::nullopt);
        QVERIFY(!small.find(QStringLiteral("big")));
        QCOMPARE(small.bytes(), 0);
        store::ImageCache off(0);
        off.insert(QStringLiteral("a"), {fakePng(1, 10), "\"x\""}, std::nullopt);
        QCOMPARE(off.count(), 0);
    }

    void aReadThatRacedADeleteIsRefused() {
        store::ImageCache cache(1 << 20);
        const quint64 seen = cache.generation(); // a reader starts loading "a" from the database
        cache.invalidate(QStringLiteral("a"));   // meanwhile "a" is deleted
        cache.insert(QStringLiteral("a"), {fakePng(1, 100), "\"old\""}, seen);
        QVERIFY(!cache.find(QStringLiteral("a")));
        cache.insert(QStringLiteral("a"), {fakePng(1, 100), "\"new\""}, cache.generation());
        QCOMPARE(cache.find(QStringLiteral("a"))->etag, QByteArray("\"new\""));
    }

    void writtenImagesAreServedFromMemoryWithTheirEtag() {
        store::ImageCache cache(8 << 20);
        store::JobRepository jobs(*m_db, &cache);
        const QByteArray png = fakePng(7, 3000);
        finishJob(jobs, QStringLiteral("cafe0001"), png);
        // Decoded and hashed just after the write reports its commit.
        QTRY_VERIFY(jobs.cachedImage(QStringLiteral("cafe0001")));
        const auto hit = jobs.cachedImage(QStringLiteral("cafe0001"));
        QCOMPARE(hit->png, png);
        QCOMPARE(hit->etag, store::imageEtag(png));
        // The database keeps the original's format: base64 text in images.image_data.
        QSqlQuery stored(QSqlDatabase::database(m_testDb->connectionName()));
        QVERIFY(stored.exec(QStringLiteral("SELECT image_data FROM images WHERE id = 'cafe0001'")));
        QVERIFY(stored.next());
        QCOMPARE(stored.value(0).toByteArray(), png.toBase64());
    }

    void firstReadFillsTheCacheAndRespectsTheBound() {
        store::JobRepository writer(*m_db); // no cache: as if written by another process
        const int size = 60'000;
        for (int i = 0; i < 60; ++i)
            finishJob(writer, QStringLiteral("f%1").arg(i, 7, 10, QChar('0')), fakePng(i, size));
        const qint64 budget = 1 << 20;
        store::ImageCache cache(budget);
        store::JobRepository jobs(*m_db, &cache);
        QVERIFY(!jobs.cachedImage(QStringLiteral("f0000000")));
        for (int i = 0; i < 60; ++i) {
            const QString id = QStringLiteral("f%1").arg(i, 7, 10, QChar('0'));
            const auto loaded = jobs.loadImage(id).result();
            QVERIFY(loaded);
            QCOMPARE(loaded->png, fakePng(i, size));
            QCOMPARE(loaded->etag, store::imageEtag(loaded->png));
            QVERIFY(jobs.cachedImage(id));
            QVERIFY(cache.bytes() <= budget);
        }
        QVERIFY(!jobs.cachedImage(QStringLiteral("f0000000")));
        QVERIFY(!jobs.loadImage(QStringLiteral("nosuch00")).result());
    }

    void deletedImageLeavesTheCache() {
        store::ImageCache cache(8 << 20);
        store::JobRepository jobs(*m_db, &cache);
        store::ImageRepository images(*m_db, &cache);
        finishJob(jobs, QStringLiteral("dead0001"), fakePng(3, 2000));
        QTRY_VERIFY(jobs.cachedImage(QStringLiteral("dead0001")));
        QVERIFY(!images.removeOwned(QStringLiteral("dead0001"), QStringLiteral("someone-else")).result());
        QVERIFY(jobs.cachedImage(QStringLiteral("dead0001"))); // not deleted, still cached
        QVERIFY(images.removeOwned(QStringLiteral("dead0001"), kOwner).result());
        QVERIFY(!jobs.cachedImage(QStringLiteral("dead0001")));
        QVERIFY(!jobs.loadImage(QStringLiteral("dead0001")).result());
        QVERIFY(!jobs.cachedImage(QStringLiteral("dead0001")));
    }

    // The cache is filled after the finish reports its commit: a delete in between must not be undone by it.
    void aDeleteRightAfterTheFinishStays() {
        store::ImageCache cache(8 << 20);
        store::JobRepository jobs(*m_db, &cache);
        store::ImageRepository images(*m_db, &cache);
        for (int i = 0; i < 5; ++i) {
            const QString id = QStringLiteral("d%1").arg(i, 7, 10, QChar('0'));
            finishJob(jobs, id, fakePng(40 + i, 400'000)); // big enough to decode for a while
            QVERIFY(images.removeOwned(id, kOwner).result());
        }
        QTest::qWait(500); // every fill has ended by now
        for (int i = 0; i < 5; ++i)
            QVERIFY(!jobs.cachedImage(QStringLiteral("d%1").arg(i, 7, 10, QChar('0'))));
    }

    void rewrittenImageGetsItsNewEtag() {
        store::ImageCache cache(8 << 20);
        store::JobRepository jobs(*m_db, &cache);
        const QByteArray first = fakePng(4, 2000);
        const QByteArray second = fakePng(5, 2500);
        finishJob(jobs, QStringLiteral("beef0001"), first);
        QTRY_VERIFY(jobs.cachedImage(QStringLiteral("beef0001")));
        QCOMPARE(jobs.cachedImage(QStringLiteral("beef0001"))->etag, store::imageEtag(first));
        jobs.markFinished(QStringLiteral("beef0001"), second.toBase64(), {}, QStringLiteral("finished"))
            .waitForFinished();
        // Once the rewrite has committed the old bytes are gone at once; the new ones follow.
        const auto early = jobs.cachedImage(QStringLiteral("beef0001"));
        QVERIFY(!early || early->png == second);
        QTRY_VERIFY(jobs.cachedImage(QStringLiteral("beef0001")));
        const auto hit = jobs.cachedImage(QStringLiteral("beef0001"));
        QCOMPARE(hit->png, second);
        QCOMPARE(hit->etag, store::imageEtag(second));
        QVERIFY(hit->etag != store::imageEtag(first));
    }
};

QTEST_GUILESS_MAIN(ImageCacheTest)
#include "tst_imagecache.moc"
