#pragma once
// Where the window connects and with which token; remembered between runs with QSettings. The URLs are
// always remembered, the token only when the user asks for it.
#include <QString>
#include <QUrl>

class QSettings;

namespace nav::admin {

struct ConnectionSettings {
    QUrl httpUrl;
    QUrl realtimeUrl;
    QString token;
    bool rememberToken = false;

    // The realtime URL Navigator uses by default for an HTTP URL: the same host on the next port
    // (HTTP_API_PORT 3333 -> RT_API_PORT 3334); without an explicit port (behind a proxy), the same origin.
    static QUrl defaultRealtimeUrl(const QUrl &httpUrl);
    // Accepts "host:port" and "http://host:port/"; returns an invalid URL for anything else.
    static QUrl normaliseUrl(const QString &text);

    static ConnectionSettings load(QSettings &settings);
    void save(QSettings &settings) const;
};

} // namespace nav::admin
