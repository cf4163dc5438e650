#include "shared/realtime/SocketIoClient.h"

#include "shared/realtime/EnginePacket.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcSocketIoClient, "navigator.socketio.client")

namespace nav::realtime {

SocketIoClient::SocketIoClient(QObject *parent) : QObject(parent) {
    m_reconnectTimer.setSingleShot(true);
    m_heartbeatTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &SocketIoClient::open);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcSocketIoClient) << "no ping from the server, reconnecting";
        m_socket.abort();
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &SocketIoClient::onTextMessage);
    connect(&m_socket, &QWebSocket::binaryMessageReceived, this, &SocketIoClient::onBinaryMessage);
    connect(&m_socket, &QWebSocket::disconnected, this, &SocketIoClient::onSocketClosed);
}

SocketIoClient::~SocketIoClient() {
    m_socket.disconnect(this);
    m_socket.abort();
}

void SocketIoClient::setReconnectDelays(int initialMs, int maxMs) {
    m_initialDelayMs = qMax(1, initialMs);
    m_maxDelayMs = qMax(m_initialDelayMs, maxMs);
}

void SocketIoClient::open() {
    m_wanted = true;
    m_refused = false;
    m_reconnectTimer.stop();
    if (m_socket.state() != QAbstractSocket::UnconnectedState)
        return;
    QUrl url = m_url;
    url.setScheme(m_url.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setPath(QStringLiteral("/socket.io/"));
    url.setQuery(QUrlQuery{{"EIO", "4"}, {"transport", "websocket"}});
    m_decoder.reset();
    m_socket.open(url);
}

void SocketIoClient::close() {
    m_wanted = false;
    m_reconnectTimer.stop();
    m_heartbeatTimer.stop();
    if (m_socket.state() == QAbstractSocket::ConnectedState)
        sendEngine(EngineCodec::encodeText(EnginePacket::make(EnginePacket::Type::Close)));
    m_socket.close();
    dropConnection(QStringLiteral("io client disconnect"));
}

void SocketIoClient::emitEvent(const QString &name, const QJsonArray &args) {
    if (!m_connected)
        return;
    QJsonArray data{name};
    for (const QJsonValue &arg : args)
        data.append(arg);
    sendEngine("4" + SocketIoCodec::encode({SocketIoPacket::Type::Event, "/", -1, data, {}}));
}

void SocketIoClient::sendEngine(const QByteArray &packet) {
    m_socket.sendTextMessage(QString::fromUtf8(packet));
}

void SocketIoClient::onTextMessage(const QString &text) {
    const auto packet = EngineCodec::decodeText(text.toUtf8());
    if (!packet) {
        qCWarning(lcSocketIoClient) << "malformed Engine.IO packet, closing";
        m_socket.abort();
        return;
    }
    switch (packet->type) {
    case EnginePacket::Type::Open:
        onEngineOpen(packet->data);
        break;
    case EnginePacket::Type::Ping:
        m_heartbeatTimer.start(m_heartbeatMs);
        sendEngine(EngineCodec::encodeText(EnginePacket::make(EnginePacket::Type::Pong, packet->data)));
        break;
    case EnginePacket::Type::Close:
        m_socket.close();
        break;
    case EnginePacket::Type::Message:
        onDecoded(m_decoder.addText(packet->data));
        break;
    default:
        break;
    }
}

void SocketIoClient::onBinaryMessage(const QByteArray &bytes) {
    onDecoded(m_decoder.addBinary(bytes));
}

void SocketIoClient::onDecoded(SocketIoDecoder::Result result) {
    if (result == SocketIoDecoder::Result::Packet) {
        onSocketIoPacket(m_decoder.take());
    } else if (result == SocketIoDecoder::Result::Error) {
        qCWarning(lcSocketIoClient) << "malformed Socket.IO packet, closing:" << m_decoder.errorString();
        m_socket.abort();
    }
}

void SocketIoClient::onEngineOpen(const QByteArray &json) {
    const QJsonObject open = QJsonDocument::fromJson(json).object();
    m_heartbeatMs = open.value("pingInterval").toInt(25'000) + open.value("pingTimeout").toInt(20'000);
    m_heartbeatTimer.start(m_heartbeatMs);
    const QJsonValue auth = m_auth.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(m_auth);
    sendEngine("4" + SocketIoCodec::encode({SocketIoPacket::Type::Connect, "/", -1, auth, {}}));
}

void SocketIoClient::onSocketIoPacket(const SocketIoPacket &packet) {
    if (packet.nsp != QLatin1String("/"))
        return;
    switch (packet.type) {
    case SocketIoPacket::Type::Connect:
        m_sid = packet.data.toObject().value("sid").toString();
        m_connected = true;
        m_attempts = 0;
        emit connected();
        break;
    case SocketIoPacket::Type::ConnectError: {
        m_refused = true;
        const QJsonObject error = packet.data.toObject();
        emit connectError(packet.data.isString() ? packet.data.toString() : error.value("message").toString(),
                          error.value("data"));
        m_socket.close();
        break;
    }
    case SocketIoPacket::Type::Disconnect: // the server disconnected us on purpose: stay down
        m_refused = true;
        m_socket.close();
        break;
    case SocketIoPacket::Type::Event:
    case SocketIoPacket::Type::BinaryEvent: {
        QJsonArray args = packet.data.toArray();
        const QString name = args.takeAt(0).toString();
        emit event(name, args);
        break;
    }
    default:
        break;
    }
}

void SocketIoClient::dropConnection(const QString &reason) {
    m_heartbeatTimer.stop();
    if (!m_connected)
        return;
    m_connected = false;
    m_sid.clear();
    emit disconnected(reason);
}

void SocketIoClient::onSocketClosed() {
    dropConnection(m_refused ? QStringLiteral("io server disconnect") : QStringLiteral("transport close"));
    if (m_wanted && !m_refused)
        scheduleReconnect();
}

void SocketIoClient::scheduleReconnect() {
    // Exponential backoff with +-50 % jitter, like socket.io-client.
    const double base = qMin<double>(m_maxDelayMs, m_initialDelayMs * double(1 << qMin(m_attempts, 16)));
    const double jitter = 0.5 + QRandomGenerator::global()->generateDouble();
    ++m_attempts;
    m_reconnectTimer.start(static_cast<int>(qMin<double>(m_maxDelayMs, base * jitter)));
}

} // namespace nav::realtime
