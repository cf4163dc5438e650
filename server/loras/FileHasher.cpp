#include "server/loras/FileHasher.h"

#include "server/common/WorkerPriority.h"
#include <QCryptographicHash>
#include <QFile>
#include <QFuture>

namespace nav::loras {

namespace {

QString hashFile(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return {};
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace

FileHasher::FileHasher(QObject *parent) : QObject(parent) {
    m_pool.setMaxThreadCount(1);
}

FileHasher::~FileHasher() {
    m_pool.waitForDone();
}

void FileHasher::sha256(const QString &path, std::function<void(const QString &)> done) {
    auto &waiters = m_waiting[path];
    waiters.push_back(std::move(done));
    if (waiters.size() > 1)
        return; // already being hashed
    common::runInBackground(&m_pool, [path] {
        return hashFile(path);
    }).then(this, [this, path](const QString &hex) {
        const auto callbacks = m_waiting.take(path);
        for (const auto &callback : callbacks)
            callback(hex);
    });
}

} // namespace nav::loras
