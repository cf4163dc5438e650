// navigator-admin: the instance owner's window onto a running Navigator (a client of its HTTP and
// socket.io API). Also a headless screenshot tool for tests and docs (--screenshot).
#include "admin-gui/ConnectionSettings.h"
#include "admin-gui/MainWindow.h"
#include "admin-gui/QueueTab.h"
#include "admin-gui/RealtimeLink.h"
#include "admin-gui/ServerConnection.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLoggingCategory>
#include <QSettings>
#include <QTimer>

#include <cstdio>

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitConnect = 3;
constexpr int kExitScreenshot = 4;

[[noreturn]] void die(int code, const QString &message) {
    std::fprintf(stderr, "navigator-admin: %s\n", qPrintable(message));
    std::exit(code);
}

} // namespace

int main(int argc, char *argv[]) {
    // With no display at all (a server, CI), draw offscreen so --help and --screenshot still work.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Navigator"));
    QApplication::setApplicationName(QStringLiteral("navigator-admin"));
    QApplication::setApplicationVersion(QStringLiteral(NAVIGATOR_VERSION));

    // Per-request debug lines only when asked for (QT_LOGGING_RULES="navigator.admin.*.debug=true").
    if (!qEnvironmentVariableIsSet("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("navigator.admin.*.debug=false"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "navigator-admin: watch and manage a Navigator instance (queue, backends, history, usage, access "
        "requests, "
        "users, status).\n"
        "Without options it shows a connect dialog (URLs are remembered; the token only if you tick the "
        "box).\n"
        "The token is SUPERUSER_ADMIN_TOKEN (sent raw) or the JWT of a user with role 3 or more (sent as "
        "Bearer).\n"
        "The token may also come from the NAVIGATOR_ADMIN_TOKEN environment variable, which keeps it out of "
        "the process list.\n"
        "Screenshot mode: --server URL --token T --screenshot FILE "
        "[--tab queue|backends|history|usage|requests|users|status] connects, waits until every tab's data "
        "is "
        "loaded, saves a PNG of the window and exits.\n"
        "Shortcuts: Ctrl+I interrupt/cancel the selected jobs, Ctrl+P promote the selected job, F5 refresh.\n"
        "Avatars come from Discord's CDN (NAVIGATOR_ADMIN_AVATAR_CDN overrides it, empty: initials only).\n"
        "Exit codes: 2 bad arguments, 3 connection refused or timed out, 4 screenshot not saved."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption server(QStringLiteral("server"),
                                    QStringLiteral("Navigator HTTP API URL, e.g. http://localhost:3333."),
                                    QStringLiteral("url"));
    const QCommandLineOption realtime(
        QStringLiteral("realtime"),
        QStringLiteral("socket.io URL (default: the HTTP URL with the port plus one, as RT_API_PORT)."),
        QStringLiteral("url"));
    const QCommandLineOption token(QStringLiteral("token"),
                                   QStringLiteral("Admin token (SUPERUSER_ADMIN_TOKEN or an admin JWT)."),
                                   QStringLiteral("token"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save a PNG of the window once loaded, then exit."),
                                        QStringLiteral("file"));
    const QCommandLineOption tab(
        QStringLiteral("tab"),
        QStringLiteral("Tab to show: queue, backends, history, usage, requests, users or status."),
        QStringLiteral("name"), QStringLiteral("queue"));
    const QCommandLineOption select(QStringLiteral("select-job"),
                                    QStringLiteral("Select this job in the queue (its preview is shown)."),
                                    QStringLiteral("id"));
    const QCommandLineOption size(
        QStringLiteral("size"),
        QStringLiteral("Window size for screenshots, WIDTHxHEIGHT (default 1200x720)."),
        QStringLiteral("WxH"), QStringLiteral("1200x720"));
    const QCommandLineOption timeout(
        QStringLiteral("timeout"),
        QStringLiteral("Seconds to wait for the data in screenshot mode (default 30)."),
        QStringLiteral("seconds"), QStringLiteral("30"));
    parser.addOptions({server, realtime, token, screenshot, tab, select, size, timeout});
    parser.process(app);

    QSettings stored;
    nav::admin::ConnectionSettings settings = nav::admin::ConnectionSettings::load(stored);
    if (parser.isSet(server)) {
        settings.httpUrl = nav::admin::ConnectionSettings::normaliseUrl(parser.value(server));
        if (settings.httpUrl.isEmpty())
            die(kExitUsage, QStringLiteral("--server: not an http(s) URL: ") + parser.value(server));
        settings.realtimeUrl = nav::admin::ConnectionSettings::defaultRealtimeUrl(settings.httpUrl);
    }
    if (parser.isSet(realtime)) {
        settings.realtimeUrl = nav::admin::ConnectionSettings::normaliseUrl(parser.value(realtime));
        if (settings.realtimeUrl.isEmpty())
            die(kExitUsage, QStringLiteral("--realtime: not an http(s) URL: ") + parser.value(realtime));
    }
    if (parser.isSet(token))
        settings.token = parser.value(token);
    else if (qEnvironmentVariableIsSet("NAVIGATOR_ADMIN_TOKEN"))
        settings.token = qEnvironmentVariable("NAVIGATOR_ADMIN_TOKEN");

    nav::admin::MainWindow window;
    // Without --tab the window opens on the tab it was closed on.
    if (parser.isSet(tab) && !window.showTab(parser.value(tab)))
        die(kExitUsage,
            QStringLiteral("--tab must be one of %1, not %2")
                .arg(nav::admin::MainWindow::tabNames().join(QStringLiteral(", ")), parser.value(tab)));

    if (parser.isSet(screenshot)) {
        if (settings.httpUrl.isEmpty() || settings.token.isEmpty())
            die(kExitUsage, QStringLiteral("--screenshot needs --server and --token"));
        const QStringList dims = parser.value(size).split(QLatin1Char('x'));
        const int width = dims.value(0).toInt();
        const int height = dims.value(1).toInt();
        if (dims.size() != 2 || width < 200 || height < 150)
            die(kExitUsage, QStringLiteral("--size must look like 1200x720"));
        bool ok = false;
        const int seconds = parser.value(timeout).toInt(&ok);
        if (!ok || seconds <= 0)
            die(kExitUsage, QStringLiteral("--timeout must be a positive number of seconds"));
        const QString file = parser.value(screenshot);
        const QString jobToSelect = parser.value(select);

        window.resize(width, height);
        window.show();
        QObject::connect(window.connection(), &nav::admin::ServerConnection::stateChanged, &app,
                         [&window](nav::admin::ServerConnection::State state) {
                             if (state == nav::admin::ServerConnection::State::Failed)
                                 die(kExitConnect, window.connection()->lastError());
                         });
        const auto grab = [&window, file] {
            if (!window.grab().save(file, "PNG"))
                die(kExitScreenshot, QStringLiteral("cannot write ") + file);
            std::printf("saved %s\n", qPrintable(file));
            QApplication::exit(0);
        };
        QObject::connect(&window, &nav::admin::MainWindow::dataLoaded, &app, [&window, jobToSelect, grab] {
            if (!jobToSelect.isEmpty())
                window.queueTab()->selectJob(jobToSelect);
            // Give the admin socket a moment to come up (it shows in the status bar and the client count),
            // then read the status once more and let layouts, the preview fetch and progress bars settle.
            QTimer::singleShot(window.realtime()->isLive() ? 0 : 1500, &window, [&window, jobToSelect, grab] {
                window.connection()->refreshStatus();
                QTimer::singleShot(jobToSelect.isEmpty() ? 500 : 1500, &window, grab);
            });
        });
        QTimer::singleShot(seconds * 1000, &app, [&window, seconds] {
            const QString why = window.connection()->lastError();
            die(kExitConnect, QStringLiteral("data not loaded within %1 s%2")
                                  .arg(seconds)
                                  .arg(why.isEmpty() ? QString() : QStringLiteral(": ") + why));
        });
        window.connectTo(settings);
        return app.exec();
    }

    window.show();
    if (settings.httpUrl.isEmpty() || settings.token.isEmpty() || !parser.isSet(server)) {
        if (!window.askToConnect(settings) && settings.httpUrl.isEmpty())
            return 0;
    } else {
        window.connectTo(settings);
    }
    return app.exec();
}
