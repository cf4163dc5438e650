#pragma once
// Access requests: who Discord says logged in, and the people refused because they have no role yet, so the
// admin window can show them by name and approve them in one click.
//  - every Discord login, successful or refused, stores the profile (DiscordProfileRepository);
//  - a login refused for want of a role opens or counts a request and tells admin sockets
//    (`access-requested`) while it is pending; a disabled user's refusals are counted, never requests;
//  - approve/deny close a request; a role granted or removed elsewhere (authorize-user, disable-user,
//    PUT .../role) closes an open one too.
#include "server/auth/Caller.h"
#include "server/auth/RolePolicy.h"
#include "server/auth/UserAdministration.h"
#include "server/store/DiscordProfileRepository.h"

#include <QJsonObject>
#include <QObject>
#include <QSet>

#include <functional>
#include <variant>

namespace nav::auth {

class AccessRequestService final : public QObject {
    Q_OBJECT
public:
    using Notify = std::function<void(const QString &event, const QJsonObject &payload)>;
    // The result, a refusal, or a database failure (answered like every other one: api::answerDatabaseError).
    template <typename T> using Callback = UserAdministration::Callback<T>;

    AccessRequestService(store::DiscordProfileRepository &profiles, UserAdministration &administration,
                         int maxRequests, Notify notifyAdmins, QObject *parent = nullptr);

    // Called by the login flow with the Discord user object; `done` runs once the row is written (or the
    // write failed, which is logged and never changes the login's answer).
    void loginSucceeded(const QJsonObject &discordUser, std::function<void()> done);
    void loginRefused(const QJsonObject &discordUser, bool disabled, std::function<void()> done);

    // role 1 or 2; 404 when `id` never asked for access.
    void approve(const Caller &caller, const QString &id, int role, Callback<store::AccessRequest> done);
    // 404 when `id` never asked, 409 when the request was approved already (disable the user instead).
    void deny(const Caller &caller, const QString &id, Callback<store::AccessRequest> done);

    // The JSON of a request, in API answers and in the `access-requested` event.
    static QJsonObject toJson(const store::AccessRequest &request);
    static store::DiscordProfile profileOf(const QJsonObject &discordUser);

private:
    void onRoleChanged(const QString &callerId, const QString &id, int role);
    void answerRequest(const QString &id, Callback<store::AccessRequest> done);

    store::DiscordProfileRepository &m_profiles;
    UserAdministration &m_administration;
    int m_maxRequests;
    Notify m_notifyAdmins;
    // Ids whose approval closes the request itself: onRoleChanged leaves them alone, because two UPDATEs of
    // the same row on two pool connections can deadlock on MariaDB.
    QSet<QString> m_approving;
};

} // namespace nav::auth
