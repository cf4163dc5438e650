#pragma once
// SHA-256 of whole files, computed on a worker thread so the event loop never waits for the disk. One file
// at a time (hashing several multi-gigabyte files at once only makes the disk seek); concurrent requests
// for the same path share one computation.
#include <QHash>
#include <QObject>
#include <QThreadPool>

#include <functional>
#include <vector>

namespace nav::loras {

class FileHasher final : public QObject {
    Q_OBJECT
public:
    explicit FileHasher(QObject *parent = nullptr);
    ~FileHasher() override;

    // `done` runs on this object's thread with the lower-case hex digest, or an empty string when the file
    // cannot be read.
    void sha256(const QString &path, std::function<void(const QString &hex)> done);

private:
    QThreadPool m_pool;
    QHash<QString, std::vector<std::function<void(const QString &)>>> m_waiting;
};

} // namespace nav::loras
