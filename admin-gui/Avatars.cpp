#include "admin-gui/Avatars.h"

#include <QCryptographicHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPainter>
#include <QPainterPath>
#include <QRegularExpression>

namespace nav::admin {

namespace {

constexpr int kFetchTimeoutMs = 8000;
constexpr qint64 kMaxImageBytes = 1 << 20;

QPixmap round(const QPixmap &source, int size) {
    QPixmap out(size, size);
    out.fill(Qt::transparent);
    QPainter painter(&out);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    QPainterPath circle;
    circle.addEllipse(0, 0, size, size);
    painter.setClipPath(circle);
    painter.drawPixmap(0, 0,
                       source.scaled(size, size, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation));
    return out;
}

} // namespace

Avatars::Avatars(QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this)),
      m_cdnBase(qEnvironmentVariableIsSet("NAVIGATOR_ADMIN_AVATAR_CDN")
                    ? QUrl(qEnvironmentVariable("NAVIGATOR_ADMIN_AVATAR_CDN"))
                    : QUrl(QStringLiteral("https://cdn.discordapp.com"))) {}

QString Avatars::initialsOf(const QString &name) {
    QString letters;
    for (const QString &word :
         name.split(QRegularExpression(QStringLiteral("[\\s_.\\-]+")), Qt::SkipEmptyParts)) {
        const QChar first = word.at(0);
        if (first.isLetterOrNumber())
            letters += first.toUpper();
        if (letters.size() == 2)
            break;
    }
    return letters.isEmpty() ? QStringLiteral("?") : letters;
}

QPixmap Avatars::initials(const QString &discordId, const QString &name, int size) {
    // A stable colour per id, dark enough for white letters.
    const QByteArray digest = QCryptographicHash::hash(discordId.toUtf8(), QCryptographicHash::Md5);
    const QColor background = QColor::fromHsv(static_cast<unsigned char>(digest.at(0)) * 360 / 256, 150, 170);
    QPixmap out(size, size);
    out.fill(Qt::transparent);
    QPainter painter(&out);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(background);
    painter.drawEllipse(0, 0, size, size);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(std::max(8, size * 2 / 5));
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(QRect(0, 0, size, size), Qt::AlignCenter, initialsOf(name.isEmpty() ? discordId : name));
    return out;
}

QPixmap Avatars::pixmap(const QString &discordId, const QString &name, const QString &avatarHash, int size) {
    if (const auto it = m_images.constFind(discordId); it != m_images.constEnd())
        return round(*it, size);
    if (!avatarHash.isEmpty())
        fetch(discordId, avatarHash);
    return initials(discordId, name, size);
}

void Avatars::fetch(const QString &discordId, const QString &avatarHash) {
    const QString key = discordId + QLatin1Char('/') + avatarHash;
    if (!m_cdnBase.isValid() || m_cdnBase.isEmpty() || m_requested.contains(key))
        return;
    m_requested.insert(key);
    QString base = m_cdnBase.toString();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    QNetworkRequest request(QUrl(QStringLiteral("%1/avatars/%2/%3.png?size=64")
                                     .arg(base, QString::fromUtf8(QUrl::toPercentEncoding(discordId)),
                                          QString::fromUtf8(QUrl::toPercentEncoding(avatarHash)))));
    request.setTransferTimeout(kFetchTimeoutMs);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, discordId] {
        reply->deleteLater();
        if (reply->error() != QNetworkReply::NoError)
            return; // offline or no such avatar: the initials stay
        QPixmap image;
        if (!image.loadFromData(reply->read(kMaxImageBytes)) || image.isNull())
            return;
        m_images.insert(discordId, image);
        emit avatarReady(discordId);
    });
}

} // namespace nav::admin
