// Navigator's entry point: parses the command line, loads the configuration, creates the application
// (server/app/Navigator, which owns every service) and runs the event loop.
#include "server/api/Route.h"
#include "server/app/CommandLine.h"
#include "server/app/Navigator.h"
#include "server/ops/Logging.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstdio>

int main(int argc, char *argv[]) {
    using namespace nav;
    // Qt's own event dispatcher rather than GLib's: GLib's writes its eventfd once for every event posted
    // (each continuation of a database future, each queued call), Qt's once until the loop wakes up; with
    // ppoll() that is two to three system calls less per job event in the pipeline. Read at the creation of
    // the application, before any thread starts.
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("navigator"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NAVIGATOR_VERSION));
    // Debug output is off unless QT_LOGGING_RULES turns it on.
    QLoggingCategory::setFilterRules(QStringLiteral("navigator.*.debug=false"));
    ops::installLogHandler(ops::LogFormat::Text);

    const app::CommandLine options = app::parseCommandLine(app);
    if (options.printRoutes) {
        std::printf("%s", qPrintable(api::describeRoutes()));
        return 0;
    }
    const auto loaded = config::loadConfigFromFile(options.envFile, options.envFileGiven);
    if (const auto *error = std::get_if<config::ConfigError>(&loaded))
        return app::fail(app::kExitConfig, QStringLiteral("configuration error: ") + error->message);
    const auto &config = std::get<config::Config>(loaded);
    if (options.checkConfig) {
        app::printConfigReport(config);
        return 0;
    }
    ops::installLogHandler(config.logFormat == QLatin1String("json") ? ops::LogFormat::Json
                                                                     : ops::LogFormat::Text);

    app::StartFailure failure;
    const auto navigator = app::Navigator::create(config, &failure);
    if (!navigator || !navigator->start(
                          [](const app::StartFailure &fatal) {
                              QCoreApplication::exit(app::fail(fatal.exitCode, fatal.message));
                          },
                          &failure))
        return app::fail(failure.exitCode, failure.message);
    const int code = app.exec();
    qCInfo(app::lcApp) << "stopped with exit code" << code;
    return code;
}
