#include "admin-gui/ServerConnection.h"

#include "shared/api/Status.h"

#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcConnection, "navigator.admin.connection")

namespace nav::admin {

namespace {
constexpr int kAdminRole = 3;
constexpr int kApexRole = 4;
} // namespace

ServerConnection::ServerConnection(QObject *parent) : QObject(parent) {
    m_api.setTimeoutMs(m_timeoutMs);
    m_statusTimer.setInterval(5000);
    connect(&m_statusTimer, &QTimer::timeout, this, &ServerConnection::refreshStatus);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ServerConnection::refreshStatus);
}

void ServerConnection::setRequestTimeoutMs(int ms) {
    m_timeoutMs = ms;
    m_api.setTimeoutMs(ms);
}

Caller ServerConnection::callerFrom(const QJsonObject &status) {
    Caller caller;
    if (const auto who = api::Status::fromJson(status).caller) {
        caller.discordId = who->discordId;
        caller.role = who->role;
        caller.superuser = who->superuser;
    }
    return caller;
}

int ServerConnection::maxAssignableRole() const {
    if (m_caller.superuser || m_caller.role >= kApexRole)
        return kApexRole;
    return std::max(0, m_caller.role - 1);
}

void ServerConnection::verify(const ConnectionSettings &settings, QObject *context,
                              VerdictCallback callback) {
    auto *probe = new ApiClient(this);
    probe->setBaseUrl(settings.httpUrl);
    probe->setToken(settings.token);
    probe->setTimeoutMs(m_timeoutMs);
    // The probe answers to this object so it is always cleaned up; the caller hears back only while
    // `context` lives.
    QPointer<QObject> guard(context);
    judge(probe, [probe, guard, callback](const Verdict &verdict) {
        probe->deleteLater();
        if (guard)
            callback(verdict);
    });
}

void ServerConnection::judge(ApiClient *probe, VerdictCallback done) {
    probe->get(QStringLiteral("/api/admin/status"), this, [probe, done](const ApiReply &reply) {
        Verdict verdict;
        verdict.kind = reply.error.kind;
        if (reply.ok()) {
            verdict.ok = true;
            verdict.status = reply.object();
            verdict.caller = callerFrom(verdict.status);
            done(verdict);
            return;
        }
        switch (reply.error.kind) {
        case ApiError::Unreachable:
            verdict.message = QStringLiteral("unreachable: ") + reply.error.message;
            break;
        case ApiError::Forbidden:
            verdict.message = QStringLiteral("not an admin: ") + reply.error.message;
            break;
        case ApiError::NotFound:
            verdict.message = QStringLiteral("not a Navigator with admin endpoints: ") + reply.error.message;
            break;
        case ApiError::BadToken:
            // Navigator also answers 401 when a valid user token lacks the role; tell the two apart.
            if (ApiClient::looksLikeJwt(probe->token())) {
                const QString first = reply.error.message;
                probe->get(QStringLiteral("/api/user/me"), probe, [done, first](const ApiReply &me) {
                    Verdict v;
                    v.kind = ApiError::BadToken;
                    const int role =
                        me.object().value(QStringLiteral("user")).toObject().value("role").toInt(-1);
                    if (me.ok() && role >= 0 && role < kAdminRole) {
                        v.kind = ApiError::Forbidden;
                        v.message = QStringLiteral("not an admin: this token has role %1, role 3 is needed")
                                        .arg(role);
                    } else {
                        v.message = QStringLiteral("bad token: ") + first;
                    }
                    done(v);
                });
                return;
            }
            verdict.message = QStringLiteral("bad token: ") + reply.error.message;
            break;
        default:
            verdict.message = reply.error.message;
            break;
        }
        done(verdict);
    });
}

void ServerConnection::open(const ConnectionSettings &settings) {
    ++m_generation;
    m_settings = settings;
    m_api.setBaseUrl(settings.httpUrl);
    m_api.setToken(settings.token);
    m_attempt = 0;
    m_inFlight = false;
    m_lastError.clear();
    setState(State::Connecting);
    refreshStatus();
}

void ServerConnection::close() {
    ++m_generation;
    m_statusTimer.stop();
    m_reconnectTimer.stop();
    m_inFlight = false;
    setState(State::Disconnected);
}

void ServerConnection::refreshStatus() {
    if (m_state == State::Disconnected || m_state == State::Failed || m_inFlight)
        return;
    m_inFlight = true;
    const quint64 generation = m_generation;
    // The regular poll reuses the window's client (and its kept-alive connection).
    judge(&m_api, [this, generation](const Verdict &verdict) {
        if (generation != m_generation)
            return;
        m_inFlight = false;
        onStatus(verdict);
    });
}

void ServerConnection::onStatus(const Verdict &verdict) {
    if (verdict.ok) {
        const bool wasConnected = m_state == State::Connected;
        m_status = verdict.status;
        m_caller = verdict.caller;
        m_attempt = 0;
        m_lastError.clear();
        m_reconnectTimer.stop();
        if (!m_statusTimer.isActive())
            m_statusTimer.start();
        setState(State::Connected);
        emit statusUpdated(m_status);
        if (!wasConnected) {
            qCInfo(lcConnection) << "connected to" << m_settings.httpUrl.toString();
            emit connected();
        }
        return;
    }
    m_lastError = verdict.message;
    if (verdict.kind == ApiError::BadToken || verdict.kind == ApiError::Forbidden) {
        // Retrying a refused token only hammers the server; the user must reconnect with another one.
        qCWarning(lcConnection).noquote() << verdict.message;
        m_statusTimer.stop();
        setState(State::Failed);
        return;
    }
    scheduleReconnect();
}

void ServerConnection::scheduleReconnect() {
    m_statusTimer.stop();
    const int delay = std::min(m_maxDelayMs, 1000 << std::min(m_attempt, 4));
    ++m_attempt;
    qCInfo(lcConnection).noquote() << m_lastError << QStringLiteral("- retrying in %1 ms").arg(delay);
    m_reconnectTimer.start(delay);
    if (m_state == State::Reconnecting)
        emit stateChanged(m_state); // the attempt counter changed
    else
        setState(State::Reconnecting);
}

void ServerConnection::setState(State state) {
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

QString ServerConnection::stateText() const {
    switch (m_state) {
    case State::Disconnected:
        return QStringLiteral("Disconnected");
    case State::Connecting:
        return QStringLiteral("Connecting to %1…").arg(m_settings.httpUrl.toString());
    case State::Connected:
        return QStringLiteral("Connected to %1").arg(m_settings.httpUrl.toString());
    case State::Reconnecting:
        return QStringLiteral("Server lost, reconnecting (attempt %1)…").arg(m_attempt);
    case State::Failed:
        return QStringLiteral("Refused: %1").arg(m_lastError);
    }
    return {};
}

} // namespace nav::admin
