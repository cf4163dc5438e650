#include "server/store/JobRepository.h"

#include "server/store/SqlTime.h"

#include <QJsonDocument>
#include <QPromise>
#include <QSet>

#include <array>

namespace nav::store {

namespace {

const QString kJobColumns = QStringLiteral(
    "job_id, owner_id, origin, task_type, status, params, model_name, attempts, sequence, created_at, "
    "started_at, finished_at, error_code, error_message");

Job readJob(const QSqlQuery &q) {
    Job job;
    job.id = q.value(0).toString();
    job.ownerId = q.value(1).toString();
    job.origin = q.value(2).toString();
    job.taskType = q.value(3).toString();
    job.status = q.value(4).toString();
    job.params = QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object();
    job.modelName = q.value(6).toString();
    job.attempts = q.value(7).toInt();
    job.sequence = q.value(8).toLongLong();
    job.createdAt = utcDateTime(q.value(9));
    job.startedAt = utcDateTime(q.value(10));
    job.finishedAt = utcDateTime(q.value(11));
    job.errorCode = q.value(12).toString();
    job.errorMessage = q.value(13).toString();
    return job;
}

QVariant nullIfEmpty(const QString &text) {
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

QList<Job> readJobs(QSqlQuery q) {
    QList<Job> jobs;
    while (q.next())
        jobs.append(readJob(q));
    return jobs;
}

} // namespace

namespace {

// Statements built for a number of rows use these counts only, so that a few texts stay prepared in the
// StatementCache whatever the batch sizes: a group of n rows is covered by the largest count <= n,
// repeatedly.
constexpr std::array<qsizetype, 4> kGroupSizes{64, 16, 4, 1};

qsizetype groupSize(qsizetype remaining) {
    for (const qsizetype size : kGroupSizes)
        if (size <= remaining)
            return size;
    return 1;
}

QString placeholders(qsizetype rows, const QString &row) {
    QStringList all;
    all.reserve(rows);
    for (qsizetype i = 0; i < rows; ++i)
        all.append(row);
    return all.join(QLatin1String(", "));
}

} // namespace

QList<JobRepository::Enqueued> JobRepository::insertNew(QSqlDatabase &db, const QList<NewJob> &batch) {
    // Ids already taken by an image (also one from before the jobs table) or a job, looked up for a group of
    // jobs at a time; an id that comes twice in the batch is taken by its first job.
    QSet<QString> taken;
    for (qsizetype from = 0; from < batch.size();) {
        const qsizetype count = groupSize(batch.size() - from);
        const QString in = placeholders(count, QStringLiteral("?"));
        QVariantList ids;
        for (int copy = 0; copy < 2; ++copy)
            for (qsizetype i = from; i < from + count; ++i)
                ids.append(batch[i].job.id);
        QSqlQuery q = exec(db,
                           QStringLiteral("SELECT id FROM images WHERE id IN (%1) "
                                          "UNION ALL SELECT job_id FROM jobs WHERE job_id IN (%1)")
                               .arg(in),
                           ids);
        while (q.next())
            taken.insert(q.value(0).toString());
        from += count;
    }
    QList<Enqueued> results(batch.size(), Enqueued{EnqueueResult::DuplicateId, 0});
    QList<qsizetype> fresh; // indexes of the jobs to insert, in batch order
    for (qsizetype i = 0; i < batch.size(); ++i) {
        const QString &id = batch[i].job.id;
        if (taken.contains(id))
            continue;
        taken.insert(id);
        fresh.append(i);
    }
    for (qsizetype from = 0; from < fresh.size();) {
        const qsizetype count = groupSize(fresh.size() - from);
        QVariantList binds;
        binds.reserve(3 * count);
        for (qsizetype k = from; k < from + count; ++k) {
            const NewJob &item = batch[fresh[k]];
            binds << item.job.id << item.job.ownerId
                  << (item.categoryId ? QVariant(*item.categoryId)
                                      : QVariant(QMetaType::fromType<qlonglong>()));
        }
        exec(db,
             QStringLiteral("INSERT INTO images (id, owner_id, category_id) VALUES %1")
                 .arg(placeholders(count, QStringLiteral("(?, ?, ?)"))),
             binds);
        from += count;
    }
    for (const qsizetype i : std::as_const(fresh)) {
        const Job &job = batch[i].job;
        // jobs.sequence is the table's auto-increment column, so the insert's id is the job's sequence.
        const qint64 sequence =
            exec(db,
                 QStringLiteral(
                     "INSERT INTO jobs (job_id, owner_id, origin, task_type, status, params, model_name) "
                     "VALUES (?, ?, ?, ?, 'queued', ?, ?)"),
                 {job.id, job.ownerId, job.origin, job.taskType,
                  QString::fromUtf8(QJsonDocument(job.params).toJson(QJsonDocument::Compact)), job.modelName})
                .lastInsertId()
                .toLongLong();
        const QString &initImage = job.inputs.initImage;
        const QString &mask = job.inputs.mask;
        if (!initImage.isEmpty() || !mask.isEmpty())
            exec(db, QStringLiteral("INSERT INTO job_inputs (job_id, init_image, mask) VALUES (?, ?, ?)"),
                 {job.id, nullIfEmpty(initImage), nullIfEmpty(mask)});
        results[i] = Enqueued{EnqueueResult::Inserted, sequence};
    }
    return results;
}

QFuture<JobRepository::Enqueued> JobRepository::enqueue(const Job &job, std::optional<qint64> categoryId) {
    return m_db.run<Enqueued>([item = NewJob{job, categoryId}](QSqlDatabase &db) {
        return transaction<Enqueued>(db, [&](QSqlDatabase &) { return insertNew(db, {item}).first(); });
    });
}

QFuture<QList<JobRepository::Enqueued>> JobRepository::enqueueAll(QList<NewJob> batch) {
    return m_db.run<QList<Enqueued>>([batch = std::move(batch)](QSqlDatabase &db) {
        return transaction<QList<Enqueued>>(db, [&](QSqlDatabase &) { return insertNew(db, batch); });
    });
}

QFuture<JobInputs> JobRepository::inputs(const QString &jobId) {
    return m_db.run<JobInputs>([jobId](QSqlDatabase &db) {
        QSqlQuery q =
            exec(db, QStringLiteral("SELECT init_image, mask FROM job_inputs WHERE job_id = ?"), {jobId});
        if (!q.next())
            return JobInputs{};
        return JobInputs{q.value(0).toString(), q.value(1).toString()};
    });
}

QFuture<QList<Job>> JobRepository::active() {
    return m_db.run<QList<Job>>([](QSqlDatabase &db) {
        return readJobs(exec(db, QStringLiteral("SELECT %1 FROM jobs WHERE status IN ('queued', 'started') "
                                                "ORDER BY sequence")
                                     .arg(kJobColumns)));
    });
}

QFuture<std::optional<Job>> JobRepository::find(const QString &jobId) {
    return m_db.run<std::optional<Job>>([jobId](QSqlDatabase &db) -> std::optional<Job> {
        QSqlQuery q =
            exec(db, QStringLiteral("SELECT %1 FROM jobs WHERE job_id = ?").arg(kJobColumns), {jobId});
        if (!q.next())
            return std::nullopt;
        return readJob(q);
    });
}

QFuture<QList<Job>> JobRepository::recent(int limit) {
    return m_db.run<QList<Job>>([limit](QSqlDatabase &db) {
        return readJobs(exec(db,
                             QStringLiteral("SELECT %1 FROM jobs WHERE status NOT IN ('queued', 'started') "
                                            "ORDER BY sequence DESC LIMIT ?")
                                 .arg(kJobColumns),
                             {limit}));
    });
}

JobWrite JobRepository::started(const QString &jobId, int attempts, const QString &backend) const {
    return {jobId,
            [=](QSqlDatabase &db) {
                exec(db,
                     QStringLiteral("UPDATE jobs SET status = 'started', attempts = ?, backend = ?, "
                                    "started_at = CURRENT_TIMESTAMP WHERE job_id = ?"),
                     {attempts, backend, jobId});
            },
            {},
            {},
            true};
}

JobWrite JobRepository::requeued(const QString &jobId, int attempts) const {
    return {
        jobId,
        [=](QSqlDatabase &db) {
            if (attempts < 0)
                exec(db,
                     QStringLiteral("UPDATE jobs SET status = 'queued', started_at = NULL WHERE job_id = ?"),
                     {jobId});
            else
                exec(db,
                     QStringLiteral("UPDATE jobs SET status = 'queued', started_at = NULL, attempts = ? "
                                    "WHERE job_id = ?"),
                     {attempts, jobId});
        },
        {}};
}

JobWrite JobRepository::finished(const QString &jobId, const QByteArray &pngBase64,
                                 const QByteArray &infoData64, const QString &status, bool hasInputs) const {
    ImageCache *cache = m_imageCache;
    const auto generation = std::make_shared<quint64>(0); // the cache's, right after the commit
    const QVariant info = infoData64.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                               : QVariant(QString::fromLatin1(infoData64));
    // MariaDB, no inputs to delete: one multi-table UPDATE, atomic without a transaction. When it changed
    // fewer than both rows (the image was deleted meanwhile, or this is a retry of a write that did commit)
    // the single-table updates write what is left to write; their rows then need no transaction to change
    // together.
    const bool together = m_db.dialect() == QLatin1String("mysql") && !hasInputs;
    return {jobId,
            [=](QSqlDatabase &db) {
                if (together) {
                    const QSqlQuery both =
                        exec(db,
                             QStringLiteral(
                                 "UPDATE images, jobs SET images.image_data = ?, images.info_data64 = ?, "
                                 "jobs.status = ?, jobs.finished_at = CURRENT_TIMESTAMP "
                                 "WHERE images.id = ? AND jobs.job_id = ?"),
                             {pngBase64, info, status, jobId, jobId});
                    if (both.numRowsAffected() >= 2)
                        return;
                }
                exec(db, QStringLiteral("UPDATE images SET image_data = ?, info_data64 = ? WHERE id = ?"),
                     {pngBase64, info, jobId});
                exec(db,
                     QStringLiteral(
                         "UPDATE jobs SET status = ?, finished_at = CURRENT_TIMESTAMP WHERE job_id = ?"),
                     {status, jobId});
                if (hasInputs)
                    exec(db, QStringLiteral("DELETE FROM job_inputs WHERE job_id = ?"), {jobId});
            },
            [=] {
                if (!cache)
                    return;
                cache->invalidate(jobId); // fences off a read of older bytes still in flight
                *generation = cache->generation();
            },
            [=] {
                if (!cache)
                    return;
                // Decoding and hashing a full-size image takes tens of milliseconds: done once, on the pool,
                // after the job is reported finished (a GET meanwhile reads the database). A delete or
                // rewrite since the commit makes the insert a no-op.
                const QByteArray png = QByteArray::fromBase64(pngBase64);
                if (!png.isEmpty())
                    cache->insert(jobId, CachedImage{png, imageEtag(png)}, *generation);
            },
            together};
}

JobWrite JobRepository::failed(const QString &jobId, const QString &code, const QString &message) const {
    return {jobId,
            [=](QSqlDatabase &db) {
                exec(db,
                     QStringLiteral("UPDATE jobs SET status = 'failed', error_code = ?, error_message = ?, "
                                    "finished_at = CURRENT_TIMESTAMP WHERE job_id = ?"),
                     {code, message, jobId});
                exec(db, QStringLiteral("DELETE FROM job_inputs WHERE job_id = ?"), {jobId});
            },
            {}};
}

JobWrite JobRepository::infoSaved(const QString &jobId, const QByteArray &infoData64) const {
    return {jobId,
            [=](QSqlDatabase &db) {
                exec(db, QStringLiteral("UPDATE images SET info_data64 = ? WHERE id = ?"),
                     {QString::fromLatin1(infoData64), jobId});
            },
            {},
            {},
            true};
}

JobWrite JobRepository::removal(const QString &jobId, std::shared_ptr<bool> removed) const {
    return {jobId,
            [=](QSqlDatabase &db) {
                *removed = exec(db, QStringLiteral("DELETE FROM jobs WHERE job_id = ? AND status = 'queued'"),
                                {jobId})
                               .numRowsAffected() > 0;
                if (!*removed)
                    return;
                exec(db, QStringLiteral("DELETE FROM images WHERE id = ? AND image_data IS NULL"), {jobId});
                exec(db, QStringLiteral("DELETE FROM job_inputs WHERE job_id = ?"), {jobId});
            },
            {}};
}

QFuture<void> JobRepository::apply(QList<JobWrite> batch) {
    // Reported through a promise of its own, so that the commit is known before the `afterwards` steps end.
    const auto done = std::make_shared<QPromise<void>>();
    done->start();
    m_db.run<void>([batch = std::move(batch), done](QSqlDatabase &db) {
            const auto all = [&](QSqlDatabase &) {
                for (const JobWrite &write : batch)
                    write.statements(db);
            };
            if (batch.size() == 1 && batch.first().atomic)
                all(db);
            else
                transaction<void>(db, all);
            for (const JobWrite &write : batch)
                if (write.committed)
                    write.committed();
            done->finish();
            for (const JobWrite &write : batch)
                if (write.afterwards)
                    write.afterwards();
        })
        .onFailed([done] {
            done->setException(std::current_exception());
            done->finish();
        });
    return done->future();
}

QFuture<void> JobRepository::savePreview(const QString &jobId, const QByteArray &pngBase64) {
    return m_db.run<void>([=](QSqlDatabase &db) {
        exec(db, QStringLiteral("UPDATE images SET preview_data = ? WHERE id = ?"), {pngBase64, jobId});
    });
}

QFuture<std::optional<StoredImage>> JobRepository::image(const QString &imageId) {
    return m_db.run<std::optional<StoredImage>>([imageId](QSqlDatabase &db) -> std::optional<StoredImage> {
        QSqlQuery q =
            exec(db, QStringLiteral("SELECT image_data, info_data64, owner_id FROM images WHERE id = ?"),
                 {imageId});
        if (!q.next() || q.value(0).isNull())
            return std::nullopt;
        // The original stores base64 text in image_data; decode it once here.
        return StoredImage{QByteArray::fromBase64(q.value(0).toByteArray()), q.value(1).toByteArray(),
                           q.value(2).toString()};
    });
}

QFuture<std::optional<QByteArray>> JobRepository::preview(const QString &imageId) {
    return m_db.run<std::optional<QByteArray>>([imageId](QSqlDatabase &db) -> std::optional<QByteArray> {
        QSqlQuery q = exec(db, QStringLiteral("SELECT preview_data FROM images WHERE id = ?"), {imageId});
        if (!q.next() || q.value(0).isNull())
            return std::nullopt;
        return QByteArray::fromBase64(q.value(0).toByteArray());
    });
}

std::optional<CachedImage> JobRepository::cachedImage(const QString &imageId) const {
    return m_imageCache ? m_imageCache->find(imageId) : std::nullopt;
}

QFuture<std::optional<CachedImage>> JobRepository::loadImage(const QString &imageId) {
    ImageCache *cache = m_imageCache;
    const quint64 generation = cache ? cache->generation() : 0;
    return m_db.run<std::optional<CachedImage>>(
        [imageId, cache, generation](QSqlDatabase &db) -> std::optional<CachedImage> {
            QSqlQuery q = exec(db, QStringLiteral("SELECT image_data FROM images WHERE id = ?"), {imageId});
            if (!q.next() || q.value(0).isNull())
                return std::nullopt;
            const QByteArray png = QByteArray::fromBase64(q.value(0).toByteArray());
            if (png.isEmpty())
                return std::nullopt;
            CachedImage image{png, imageEtag(png)};
            if (cache)
                cache->insert(imageId, image, generation);
            return image;
        });
}

} // namespace nav::store
