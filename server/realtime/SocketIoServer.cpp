#include "server/realtime/SocketIoServer.h"

#include "server/realtime/EngineServer.h"
#include "server/realtime/EngineSession.h"
#include "server/realtime/SocketIoConnection.h"
#include "server/realtime/SocketIoNamespace.h"

namespace nav::realtime {

SocketIoServer::SocketIoServer(EngineServer *engine, int connectTimeoutMs, const QString &path,
                               QObject *parent)
    : QObject(parent), m_engine(engine), m_connectTimeoutMs(connectTimeoutMs) {
    connect(engine, &EngineServer::connection, this, [this, path](EngineSession *session) {
        if (!path.isEmpty() && session->handshake().path != path)
            return;
        new SocketIoConnection(session, this, m_connectTimeoutMs); // a child of the session
    });
}

SocketIoNamespace *SocketIoServer::of(const QString &name) {
    auto it = m_namespaces.find(name);
    if (it == m_namespaces.end())
        it = m_namespaces.insert(name, new SocketIoNamespace(name, this));
    return *it;
}

} // namespace nav::realtime
