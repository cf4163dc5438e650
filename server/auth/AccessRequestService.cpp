#include "server/auth/AccessRequestService.h"

#include "shared/api/AccessRequest.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAccess, "navigator.auth.access")

namespace nav::auth {

namespace {

store::DbFailure databaseFailure(const std::exception &e) {
    qCWarning(lcAccess).noquote() << "database error:" << e.what();
    return store::DbFailure::from(e);
}

PolicyRefusal noRequest() {
    return PolicyRefusal{404, QStringLiteral("This Discord ID has not asked for access"),
                         QStringLiteral("ACCESS_REQUEST_NOT_FOUND")};
}

} // namespace

AccessRequestService::AccessRequestService(store::DiscordProfileRepository &profiles,
                                           UserAdministration &administration, int maxRequests,
                                           Notify notifyAdmins, QObject *parent)
    : QObject(parent), m_profiles(profiles), m_administration(administration), m_maxRequests(maxRequests),
      m_notifyAdmins(std::move(notifyAdmins)) {
    connect(&m_administration, &UserAdministration::roleDecided, this, &AccessRequestService::onRoleChanged);
}

store::DiscordProfile AccessRequestService::profileOf(const QJsonObject &user) {
    return {user.value(QStringLiteral("id")).toString(), user.value(QStringLiteral("username")).toString(),
            user.value(QStringLiteral("global_name")).toString(),
            user.value(QStringLiteral("avatar")).toString()};
}

QJsonObject AccessRequestService::toJson(const store::AccessRequest &r) {
    api::AccessRequest shape;
    shape.discordId = r.profile.id;
    shape.name = r.profile.displayName();
    shape.username = r.profile.username;
    shape.globalName = r.profile.globalName;
    shape.avatar = r.profile.avatar;
    shape.status = r.status;
    shape.attempts = r.attempts;
    shape.firstAttemptAt = r.firstAttemptAt;
    shape.lastAttemptAt = r.lastAttemptAt;
    shape.decidedAt = r.decidedAt;
    shape.decidedBy = r.decidedBy;
    return shape.toJson();
}

void AccessRequestService::loginSucceeded(const QJsonObject &discordUser, std::function<void()> done) {
    const auto profile = profileOf(discordUser);
    m_profiles.recordLogin(profile)
        .then(this, [done] { done(); })
        .onFailed(this, [done, id = profile.id](const std::exception &e) {
            qCWarning(lcAccess).noquote() << "cannot store the Discord profile of" << id << ":" << e.what();
            done();
        });
}

void AccessRequestService::loginRefused(const QJsonObject &discordUser, bool disabled,
                                        std::function<void()> done) {
    const auto profile = profileOf(discordUser);
    const auto failed = [done, id = profile.id](const std::exception &e) {
        qCWarning(lcAccess).noquote() << "cannot record the refused login of" << id << ":" << e.what();
        done();
    };
    if (disabled) {
        m_profiles.recordDisabledRefusal(profile).then(this, [done] { done(); }).onFailed(this, failed);
        return;
    }
    m_profiles.recordUnknownRefusal(profile, m_maxRequests)
        .then(this,
              [this, done](const store::RefusalRecorded &recorded) {
                  const store::AccessRequest &request = recorded.request;
                  if (request.status == QLatin1String("pending")) {
                      qCInfo(lcAccess).noquote()
                          << (recorded.isNew ? "new access request from" : "access request retried by")
                          << request.profile.id << request.profile.username
                          << "attempts:" << request.attempts;
                      if (m_notifyAdmins)
                          m_notifyAdmins(QStringLiteral("access-requested"), toJson(request));
                  }
                  done();
              })
        .onFailed(this, failed);
}

void AccessRequestService::answerRequest(const QString &id, Callback<store::AccessRequest> done) {
    m_profiles.findRequest(id)
        .then(this,
              [done](const std::optional<store::AccessRequest> &request) {
                  if (!request)
                      return done(noRequest());
                  done(*request);
              })
        .onFailed(this, [done](const std::exception &e) { done(databaseFailure(e)); });
}

void AccessRequestService::approve(const Caller &caller, const QString &id, int role,
                                   Callback<store::AccessRequest> done) {
    m_profiles.findRequest(id)
        .then(this,
              [this, caller, id, role, done](const std::optional<store::AccessRequest> &request) {
                  if (!request)
                      return done(noRequest());
                  m_approving.insert(id);
                  m_administration.grant(caller, id, role, [this, caller, id, done](const auto &outcome) {
                      if (const auto *refusal = std::get_if<PolicyRefusal>(&outcome)) {
                          m_approving.remove(id);
                          return done(*refusal);
                      }
                      if (const auto *failure = std::get_if<store::DbFailure>(&outcome)) {
                          m_approving.remove(id);
                          return done(*failure);
                      }
                      // Closes the request whatever its state (one approved before is approved again).
                      m_profiles.decide(id, QStringLiteral("approved"), caller.discordId)
                          .then(this,
                                [this, id, done](bool) {
                                    m_approving.remove(id);
                                    answerRequest(id, done);
                                })
                          .onFailed(this, [this, id, done](const std::exception &e) {
                              m_approving.remove(id);
                              done(databaseFailure(e));
                          });
                  });
              })
        .onFailed(this, [done](const std::exception &e) { done(databaseFailure(e)); });
}

void AccessRequestService::deny(const Caller &caller, const QString &id,
                                Callback<store::AccessRequest> done) {
    m_profiles.findRequest(id)
        .then(this,
              [this, caller, id, done](const std::optional<store::AccessRequest> &request) {
                  if (!request)
                      return done(noRequest());
                  if (request->status == QLatin1String("approved"))
                      return done(PolicyRefusal{409,
                                                QStringLiteral("This request was approved already; use "
                                                               "disable-user to take access away"),
                                                QStringLiteral("ACCESS_REQUEST_APPROVED")});
                  m_profiles.decide(id, QStringLiteral("denied"), caller.discordId)
                      .then(this,
                            [this, caller, id, done](bool) {
                                qCInfo(lcAccess).noquote()
                                    << caller.discordId << "denied the access request of" << id;
                                answerRequest(id, done);
                            })
                      .onFailed(this, [done](const std::exception &e) { done(databaseFailure(e)); });
              })
        .onFailed(this, [done](const std::exception &e) { done(databaseFailure(e)); });
}

void AccessRequestService::onRoleChanged(const QString &callerId, const QString &id, int role) {
    if (m_approving.contains(id))
        return;
    // Granting closes a pending or denied request; disabling closes a pending one.
    const QStringList from =
        role >= RoleApprentice ? QStringList{"pending", "denied"} : QStringList{"pending"};
    m_profiles.decide(id, role >= RoleApprentice ? "approved" : "denied", callerId, from)
        .onFailed(this, [id](const std::exception &e) {
            qCWarning(lcAccess).noquote() << "cannot close the access request of" << id << ":" << e.what();
            return false;
        });
}

} // namespace nav::auth
