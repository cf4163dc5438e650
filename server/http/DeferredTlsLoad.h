#pragma once
// Keeps the TLS backend, and with it OpenSSL (about 4 MiB resident), unloaded while the servers are built.
//
// QAbstractHttpServer's constructor builds a QSslConfiguration, which makes Qt load its TLS plugins at once.
// Navigator serves plain HTTP (TLS ends at the reverse proxy); it needs OpenSSL only for outgoing HTTPS calls
// (Discord, Civitai). While this object lives, Qt finds no plugins, so nothing is loaded and its "no TLS
// backend" warnings are silenced; once it is gone, the first HTTPS call loads the backend as usual.
//
// Plugins needed meanwhile must already be loaded: Navigator opens its database (SQL driver plugin) first.
#include <QStringList>

namespace nav::http {

class DeferredTlsLoad final {
public:
    DeferredTlsLoad();
    ~DeferredTlsLoad();
    DeferredTlsLoad(const DeferredTlsLoad &) = delete;
    DeferredTlsLoad &operator=(const DeferredTlsLoad &) = delete;

private:
    QStringList m_pluginPaths;
};

} // namespace nav::http
