#pragma once
// What the admin window's list feeds (users, backends, history, access requests) share: whether a list was
// loaded, whether the server lacks the endpoint (an older Navigator: the tab says so), the last error, and
// how one API reply settles them.
#include "admin-gui/ApiClient.h"

#include <QObject>

#include <functional>

namespace nav::admin {

class ListFeed : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    bool loaded() const { return m_loaded; }
    bool unsupported() const { return m_unsupported; }
    QString lastError() const { return m_lastError; }

signals:
    void reloaded();
    void failed(const QString &message);

protected:
    // The router's 404 (no such route), which older servers answer for a new endpoint.
    static bool routeMissing(const ApiReply &reply) { return reply.error.kind == ApiError::NotFound; }
    // Settles a reply to GET `path`: `missing` (the endpoint is absent) fails with `missingMessage` for good;
    // otherwise `take` reads the answer into the model and returns false when it is not what was expected.
    // Emits reloaded() or failed(); returns whether the list was taken.
    bool settle(const ApiReply &reply, bool missing, const QString &missingMessage, const QString &path,
                const std::function<bool()> &take);

private:
    bool m_loaded = false;
    bool m_unsupported = false;
    QString m_lastError;
};

} // namespace nav::admin
