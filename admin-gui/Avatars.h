#pragma once
// Little round pictures of Discord users for the Requests list: the avatar from Discord's CDN when it can be
// fetched (cdn.discordapp.com/avatars/<id>/<hash>.png), else the initials of the name on a colour picked from
// the id. Fetches are asynchronous and cached; avatarReady() tells the views to repaint. With an empty CDN
// base nothing is fetched (initials only).
#include <QHash>
#include <QObject>
#include <QPixmap>
#include <QSet>
#include <QUrl>

class QNetworkAccessManager;

namespace nav::admin {

class Avatars : public QObject {
    Q_OBJECT
public:
    explicit Avatars(QObject *parent = nullptr);

    // Default https://cdn.discordapp.com; NAVIGATOR_ADMIN_AVATAR_CDN overrides it ("" turns fetching off).
    void setCdnBase(const QUrl &base) { m_cdnBase = base; }
    QUrl cdnBase() const { return m_cdnBase; }

    // The picture for this user at `size` pixels: the fetched avatar, or initials while it loads or when
    // it cannot be fetched. Starts a fetch the first time an avatar hash is seen.
    QPixmap pixmap(const QString &discordId, const QString &name, const QString &avatarHash, int size = 32);
    // True once the CDN image of `discordId` arrived.
    bool hasImage(const QString &discordId) const { return m_images.contains(discordId); }

    // The initials picture alone: up to two letters of the name (or of the id when there is no name).
    static QPixmap initials(const QString &discordId, const QString &name, int size);
    static QString initialsOf(const QString &name);

signals:
    void avatarReady(const QString &discordId);

private:
    void fetch(const QString &discordId, const QString &avatarHash);

    QNetworkAccessManager *m_network;
    QUrl m_cdnBase;
    QHash<QString, QPixmap> m_images; // discord id -> fetched image (full size)
    QSet<QString> m_requested;        // "id/hash" already asked for (success or not)
};

} // namespace nav::admin
