// FileHasher: SHA-256 of a file computed on a worker thread, answered on the caller's thread; shared
// computation for concurrent requests; empty answer for unreadable files.
#include "server/loras/FileHasher.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

class TestFileHasher : public QObject {
    Q_OBJECT
private slots:
    void hashesOffTheEventLoop() {
        QTemporaryDir dir;
        QFile file(dir.filePath("lora.safetensors"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        const QByteArray content(5 * 1024 * 1024 + 1, 'z');
        file.write(content);
        file.close();
        const QString expected =
            QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());

        nav::loras::FileHasher hasher;
        QStringList answers;
        QList<QThread *> threads;
        for (int i = 0; i < 3; ++i)
            hasher.sha256(file.fileName(), [&](const QString &hex) {
                answers << hex;
                threads << QThread::currentThread();
            });
        QVERIFY(answers.isEmpty()); // nothing is computed while the caller waits
        QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 3, 30000);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(answers[i], expected);
            QCOMPARE(threads[i], QThread::currentThread());
        }
    }

    void missingFileGivesEmpty() {
        nav::loras::FileHasher hasher;
        bool called = false;
        QString answer = "x";
        hasher.sha256("/nonexistent/file.safetensors", [&](const QString &hex) {
            called = true;
            answer = hex;
        });
        QTRY_VERIFY_WITH_TIMEOUT(called, 30000);
        QVERIFY(answer.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestFileHasher)
#include "tst_filehasher.moc"
