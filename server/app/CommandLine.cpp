#include "server/app/CommandLine.h"

#include "server/forge/ForgeClient.h"

#include <QCommandLineParser>

#include <cstdio>

namespace nav::app {

CommandLine parseCommandLine(const QCoreApplication &app) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Navigator: queues txt2img/img2img jobs from Compass and bots, drives Stable Diffusion Forge, "
        "streams progress over socket.io and keeps every image in a database.\n"
        "Configuration comes from a .env file and the environment (which wins); every variable is documented "
        "in resources/env.example. Logs: LOG_FORMAT=text|json, ACCESS_LOG=off|errors|all, more detail with "
        "QT_LOGGING_RULES=\"navigator.*.debug=true\".\n"
        "SIGTERM/SIGINT shut down gracefully (SHUTDOWN_GRACE) and exit 0; a second signal exits at once.\n"
        "Exit codes: 2 bad configuration, 3 database unreachable or migration failed, 4 cannot listen."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption envFile(QStringLiteral("env-file"),
                                     QStringLiteral("Read variables from <path> (default ./.env)."),
                                     QStringLiteral("path"), QStringLiteral(".env"));
    const QCommandLineOption checkConfig(
        QStringLiteral("check-config"),
        QStringLiteral("Validate the configuration, print every variable's effective value (secrets hidden) "
                       "and where it came from, then exit."));
    const QCommandLineOption routes(
        QStringLiteral("routes"),
        QStringLiteral("Print every HTTP route (method, path, minimum role, operation id) and exit."));
    parser.addOption(envFile);
    parser.addOption(checkConfig);
    parser.addOption(routes);
    parser.process(app);
    return {parser.value(envFile), parser.isSet(envFile), parser.isSet(checkConfig), parser.isSet(routes)};
}

void printConfigReport(const config::Config &config) {
    QStringList backends;
    for (const QUrl &url : config.sdApiHosts)
        backends.append(forge::backendName(url));
    std::printf("configuration OK: database %s, HTTP port %d, realtime port %d, Forge %s\n",
                qPrintable(config.db.driver), config.httpPort, config.rtPort,
                qPrintable(backends.join(QStringLiteral(", "))));
    std::printf("\nEffective configuration (secrets hidden):\n");
    for (const auto &setting : config.settings)
        std::printf("%s=%s  # %s\n", qPrintable(setting.name), qPrintable(config::maskedValue(setting)),
                    qPrintable(setting.source));
}

int fail(int code, const QString &message) {
    std::fprintf(stderr, "navigator: %s\n", qPrintable(message));
    return code;
}

} // namespace nav::app
