#pragma once
// A copyable handle on one pending HTTP answer. Handlers may answer at once or later (after database or Forge
// work); every answer carries the CORS headers. If the client has gone away, answering is a no-op. If the
// last copy is dropped without an answer, the client gets a 500 JSON error instead of a hang.
#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QPair>
#include <QString>

#include <memory>

namespace nav::http {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// Which answers get an access-log line (ACCESS_LOG): none, 4xx and 5xx only, or all.
enum class AccessLog { Off, Errors, All };

class Responder {
public:
    struct State;
    explicit Responder(std::shared_ptr<State> state);

    // Any JSON value (object, array, null ...) with Content-Type application/json.
    void json(int status, const QJsonValue &body);
    // {"error": message, "error_code": code}; the code is left out when empty.
    void error(int status, const QString &message, const QString &code = {}, const HeaderList &extra = {});
    // Raw bytes with the given content type and extra headers.
    void send(int status, const QByteArray &body, const QByteArray &contentType,
              const HeaderList &extra = {});
    void noContent(); // 204

    bool answered() const;
    bool clientGone() const;

private:
    std::shared_ptr<State> m_state;
};

// The headers every answer carries (CORS for Compass, which is served from another origin).
const HeaderList &corsHeaders();

} // namespace nav::http
