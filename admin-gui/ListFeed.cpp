#include "admin-gui/ListFeed.h"

namespace nav::admin {

bool ListFeed::settle(const ApiReply &reply, bool missing, const QString &missingMessage, const QString &path,
                      const std::function<bool()> &take) {
    m_unsupported = missing;
    if (m_unsupported) {
        m_lastError = missingMessage;
        m_loaded = true; // nothing more will come; the tab explains it
        emit failed(m_lastError);
        return false;
    }
    if (!reply.ok() || !take()) {
        m_lastError = reply.ok() ? QStringLiteral("unexpected answer from ") + path : reply.error.message;
        emit failed(m_lastError);
        return false;
    }
    m_lastError.clear();
    m_loaded = true;
    emit reloaded();
    return true;
}

} // namespace nav::admin
