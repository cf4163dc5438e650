#pragma once
// Asks where to connect: the HTTP URL, the realtime URL (derived from the HTTP URL until edited) and the
// token, with "remember token". Connect checks the server first and says what failed (unreachable, not an
// admin, bad token); the dialog closes only on success.
#include "admin-gui/ConnectionSettings.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace nav::admin {

class ServerConnection;

class ConnectDialog : public QDialog {
    Q_OBJECT
public:
    ConnectDialog(ServerConnection *connection, const ConnectionSettings &initial, QWidget *parent = nullptr);

    ConnectionSettings settings() const;
    QString errorText() const;
    void setHttpUrl(const QString &url);
    void setToken(const QString &token);
    // What the Connect button does, without the button (tests).
    void tryConnect();

private:
    void httpUrlEdited(const QString &text);

    ServerConnection *m_connection;
    QLineEdit *m_httpUrl;
    QLineEdit *m_realtimeUrl;
    QLineEdit *m_token;
    QCheckBox *m_remember;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
    bool m_realtimeEdited = false;
};

} // namespace nav::admin
