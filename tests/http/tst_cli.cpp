// The command line: --help, --version, --check-config, and start-up failures with their exit codes.
#include "tests/support/TestSupport.h"

#include <QDir>
#include <QTcpServer>
#include <QtTest>

using namespace nav::test;

class CliTest : public QObject {
    Q_OBJECT

    struct Run {
        int exitCode;
        QByteArray output;
    };
    static Run run(const QStringList &args, const QHash<QString, QString> &vars) {
        QProcessEnvironment env; // clean: nothing from the developer's shell leaks in
        env.insert("PATH", qEnvironmentVariable("PATH"));
        for (auto it = vars.begin(); it != vars.end(); ++it)
            env.insert(it.key(), it.value());
        ChildProcess process;
        if (!process.start(binPath("navigator"), args, env) || !process.waitForExit(15000))
            return {-1, process.output()};
        return {process.exitCode(), process.output()};
    }

private slots:
    void help() {
        const Run r = run({"--help"}, {});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.output.contains("--env-file"));
        QVERIFY(r.output.contains("--check-config"));
        QVERIFY(r.output.contains("Exit codes"));
    }

    void adminWindowHelpWorksWithoutADisplay() {
        if (!QFile::exists(binPath("navigator-admin")))
            QSKIP("navigator-admin is not built (NAVIGATOR_BUILD_ADMIN_GUI=OFF)");
        QProcessEnvironment env; // no DISPLAY, no QT_QPA_PLATFORM: a headless server
        env.insert("PATH", qEnvironmentVariable("PATH"));
        env.insert("XDG_RUNTIME_DIR", QDir::tempPath());
        ChildProcess process;
        QVERIFY(process.start(binPath("navigator-admin"), {"--help"}, env));
        QVERIFY(process.waitForExit(15000));
        QCOMPARE(process.exitCode(), 0);
        QVERIFY(process.output().contains("--screenshot"));
    }

    void version() {
        const Run r = run({"--version"}, {});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.output.startsWith("navigator "));
    }

    void checkConfigAcceptsGoodConfig() {
        const Run r = run({"--env-file", "/dev/null", "--check-config"}, {{"SECRET_KEY", "x"}});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.output.contains("configuration OK"));
    }

    void checkConfigPrintsEveryVariableWithSecretsHidden() {
        const Run r = run({"--env-file", "/dev/null", "--check-config"},
                          {{"SECRET_KEY", "very-secret-signing-key"},
                           {"SUPERUSER_ADMIN_TOKEN", "very-secret-admin-token"},
                           {"CIVITAI_API_KEY", "very-secret-civitai-key"},
                           {"SD_API_HOST", "http://forge:very-secret-password@gpu1:7860/sdapi/v1"},
                           {"HTTP_API_PORT", "4321"}});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(!r.output.contains("very-secret"), r.output.constData());
        QVERIFY(r.output.contains("SECRET_KEY=(set, hidden)  # environment"));
        QVERIFY(r.output.contains("CIVITAI_API_KEY=(set, hidden)  # environment"));
        QVERIFY(r.output.contains("BOT_TOKEN=(not set)  # default"));
        QVERIFY(r.output.contains("SD_API_HOST=http://forge:(hidden)@gpu1:7860/sdapi/v1  # environment"));
        QVERIFY(r.output.contains("HTTP_API_PORT=4321  # environment"));
        QVERIFY(r.output.contains("RT_API_PORT=3334  # default"));
        QVERIFY(r.output.contains("ACCESS_LOG=errors  # default"));
    }

    void missingSecretExitsTwoNamingTheVariable() {
        const Run r = run({"--env-file", "/dev/null", "--check-config"}, {});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.output.count('\n'), 1); // one line
        QVERIFY(r.output.contains("SECRET_KEY"));
    }

    void badValueExitsTwo() {
        const Run r = run({"--env-file", "/dev/null"}, {{"SECRET_KEY", "x"}, {"HTTP_API_PORT", "abc"}});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.output.contains("HTTP_API_PORT"));
    }

    void envFileIsRead() {
        QTemporaryDir dir;
        QFile file(dir.filePath(".env"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("# test\nexport SECRET_KEY=\"from file\"\nRT_API_PORT=abc # bad on purpose\n");
        file.close();
        const Run r = run({"--env-file", file.fileName(), "--check-config"}, {});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.output.contains("RT_API_PORT")); // SECRET_KEY came from the file, the port is what is wrong
        const Run fixed = run({"--env-file", file.fileName(), "--check-config"}, {{"RT_API_PORT", "4444"}});
        QCOMPARE(fixed.exitCode, 0);
        QVERIFY(fixed.output.contains("realtime port 4444"));
    }

    void missingEnvFileIsAnError() {
        const Run r = run({"--env-file", "/nonexistent/.env"}, {{"SECRET_KEY", "x"}});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.output.contains("/nonexistent/.env"));
    }

    void portInUseExitsFour() {
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        const Run r =
            run({"--env-file", "/dev/null"}, {{"SECRET_KEY", "x"},
                                              {"BIND_ADDRESS", "127.0.0.1"},
                                              {"HTTP_API_PORT", QString::number(blocker.serverPort())}});
        QCOMPARE(r.exitCode, 4);
        QVERIFY(r.output.contains("HTTP_API_PORT"));
    }
};

QTEST_GUILESS_MAIN(CliTest)
#include "tst_cli.moc"
