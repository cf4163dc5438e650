#pragma once
// The navigator program's command line: its options and --help text, the --check-config report, and how a
// failure to start is reported (a line on stderr and an exit code).
#include "server/config/Config.h"

#include <QCoreApplication>
#include <QString>

namespace nav::app {

struct CommandLine {
    QString envFile;           // --env-file, default ./.env
    bool envFileGiven = false; // a missing file is an error only when it was named
    bool checkConfig = false;  // --check-config
    bool printRoutes = false;  // --routes
};

// Parses the arguments; --help, --version and unknown options print and exit, as QCommandLineParser does.
CommandLine parseCommandLine(const QCoreApplication &app);

// --check-config: a summary line, then every variable's effective value (secrets hidden) and its source.
void printConfigReport(const config::Config &config);

// Prints "navigator: <message>" on stderr and gives back `code`. Callers return it from main (or pass it to
// QCoreApplication::exit), so every object, the database pool threads included, is torn down in order before
// the process ends: no std::exit while a pool thread still runs a query.
int fail(int code, const QString &message);

} // namespace nav::app
