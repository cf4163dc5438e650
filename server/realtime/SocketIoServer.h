#pragma once
// The Socket.IO v5 layer over an EngineServer: a registry of namespaces and one SocketIoConnection per
// Engine.IO session. A CONNECT to a namespace that was never created is refused with "Invalid namespace".
#include <QHash>
#include <QObject>

namespace nav::realtime {

class EngineServer;
class SocketIoNamespace;

class SocketIoServer final : public QObject {
    Q_OBJECT
public:
    // Serves the sessions of `engine` opened on `path` (all sessions when empty).
    SocketIoServer(EngineServer *engine, int connectTimeoutMs, const QString &path = {},
                   QObject *parent = nullptr);

    // The namespace with this name, created on first use ("/" is the default namespace).
    SocketIoNamespace *of(const QString &name);
    SocketIoNamespace *find(const QString &name) const { return m_namespaces.value(name); }

private:
    EngineServer *m_engine;
    int m_connectTimeoutMs;
    QHash<QString, SocketIoNamespace *> m_namespaces;
};

} // namespace nav::realtime
