// socketio-conformance: the bare server the official Engine.IO / Socket.IO protocol suites run against.
// Usage: socketio-conformance [PORT]   (the suites expect 3000)
#include "tests/realtime/ConformanceServer.h"

#include <QCoreApplication>

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const quint16 port = args.size() > 1 ? args.at(1).toUShort() : 3000;
    return nav::realtime::runConformanceServer(port);
}
