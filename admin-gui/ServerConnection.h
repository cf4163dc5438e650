#pragma once
// The window's link to one Navigator: checks the token, polls GET /api/admin/status, notices when the server
// goes away and reconnects with a growing delay (1 s doubling to 15 s), telling the window what it is doing.
// Tabs reload whenever connected() fires (the first time and after every reconnect).
#include "admin-gui/ApiClient.h"
#include "admin-gui/ConnectionSettings.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <functional>

namespace nav::admin {

// Who the token belongs to, as far as the server tells us.
struct Caller {
    QString discordId;
    int role = 0;
    bool superuser = false;
};

class ServerConnection : public QObject {
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Connected, Reconnecting, Failed };
    Q_ENUM(State)

    struct Verdict {
        bool ok = false;
        ApiError::Kind kind = ApiError::None;
        QString message; // "unreachable: ...", "not an admin: ...", "bad token: ..."
        QJsonObject status;
        Caller caller;
    };
    using VerdictCallback = std::function<void(const Verdict &)>;

    explicit ServerConnection(QObject *parent = nullptr);

    ApiClient *api() { return &m_api; }
    const ConnectionSettings &settings() const { return m_settings; }

    // Checks reachability, the token and the admin role against the server, without changing state.
    void verify(const ConnectionSettings &settings, QObject *context, VerdictCallback callback);

    // Starts using these settings; goes Connecting -> Connected (or Failed for a refused token).
    void open(const ConnectionSettings &settings);
    void close();
    // Re-reads the status now (also done on a timer).
    void refreshStatus();

    State state() const { return m_state; }
    QString stateText() const;
    QString lastError() const { return m_lastError; }
    QJsonObject status() const { return m_status; }
    Caller caller() const { return m_caller; }
    int reconnectAttempt() const { return m_attempt; }
    // The highest role this caller may hand out: below their own; anything for apex and the superuser token.
    int maxAssignableRole() const;

    void setStatusIntervalMs(int ms) { m_statusTimer.setInterval(ms); }
    void setMaxReconnectDelayMs(int ms) { m_maxDelayMs = ms; }
    // How long any one call may take before the server counts as unreachable.
    void setRequestTimeoutMs(int ms);

signals:
    void stateChanged(nav::admin::ServerConnection::State state);
    void statusUpdated(const QJsonObject &status);
    void connected();

private:
    void setState(State state);
    void onStatus(const Verdict &verdict);
    void scheduleReconnect();
    // GET /api/admin/status through `api`, turned into a verdict (with a /api/user/me follow-up to tell a
    // bad JWT from a valid one without the admin role).
    void judge(ApiClient *api, VerdictCallback done);
    static Caller callerFrom(const QJsonObject &status);

    ApiClient m_api;
    ConnectionSettings m_settings;
    State m_state = State::Disconnected;
    QString m_lastError;
    QJsonObject m_status;
    Caller m_caller;
    QTimer m_statusTimer;
    QTimer m_reconnectTimer;
    int m_attempt = 0;
    int m_maxDelayMs = 15000;
    int m_timeoutMs = 8000;
    bool m_inFlight = false;
    quint64 m_generation = 0; // answers from before the last open()/close() are ignored
};

} // namespace nav::admin
