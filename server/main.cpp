// Navigator: wiring only. Config -> store -> backends -> queue -> http + realtime.
#include "server/config/Config.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QProcessEnvironment>

#include <cstdio>

namespace {

constexpr int kExitConfig = 2;

nav::config::EnvMap processEnvironment() {
    nav::config::EnvMap env;
    const auto system = QProcessEnvironment::systemEnvironment();
    for (const QString &key : system.keys())
        env.insert(key, system.value(key));
    return env;
}

} // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("navigator"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NAVIGATOR_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Navigator: queues txt2img/img2img jobs from Compass and bots, drives Stable Diffusion Forge, "
        "streams "
        "progress over socket.io and keeps every image in a database.\n"
        "Configuration comes from a .env file and the environment (which wins); see resources/env.example."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption envFile(QStringLiteral("env-file"),
                                     QStringLiteral("Read variables from <path>."), QStringLiteral("path"),
                                     QStringLiteral(".env"));
    const QCommandLineOption checkConfig(
        QStringLiteral("check-config"),
        QStringLiteral("Validate the configuration, print a summary and exit."));
    parser.addOption(envFile);
    parser.addOption(checkConfig);
    parser.process(app);

    nav::config::EnvMap fileVars;
    QFile file(parser.value(envFile));
    if (file.open(QIODevice::ReadOnly)) {
        fileVars = nav::config::parseDotEnv(QString::fromUtf8(file.readAll()));
    } else if (parser.isSet(envFile)) {
        std::fprintf(stderr, "navigator: cannot read --env-file %s: %s\n", qPrintable(file.fileName()),
                     qPrintable(file.errorString()));
        return kExitConfig;
    }
    const auto loaded = nav::config::loadConfig(fileVars, processEnvironment());
    if (const auto *error = std::get_if<nav::config::ConfigError>(&loaded)) {
        std::fprintf(stderr, "navigator: configuration error: %s\n", qPrintable(error->message));
        return kExitConfig;
    }
    const auto &config = std::get<nav::config::Config>(loaded);
    if (parser.isSet(checkConfig)) {
        std::printf("configuration OK: database %s, HTTP port %d, realtime port %d, Forge %s\n",
                    qPrintable(config.db.driver), config.httpPort, config.rtPort,
                    qPrintable(config.sdApiHost.toString()));
        return 0;
    }
    return 0;
}
