#include "admin-gui/ConnectDialog.h"

#include "admin-gui/ServerConnection.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace nav::admin {

ConnectDialog::ConnectDialog(ServerConnection *connection, const ConnectionSettings &initial, QWidget *parent)
    : QDialog(parent), m_connection(connection), m_httpUrl(new QLineEdit(this)),
      m_realtimeUrl(new QLineEdit(this)), m_token(new QLineEdit(this)),
      m_remember(new QCheckBox(QStringLiteral("Remember the token on this computer (kept in plain text in "
                                              "the settings file: this build of Qt offers no keychain)"),
                               this)),
      m_error(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
    setWindowTitle(QStringLiteral("Connect to Navigator"));
    m_httpUrl->setPlaceholderText(QStringLiteral("http://localhost:3333"));
    m_realtimeUrl->setPlaceholderText(QStringLiteral("derived from the HTTP URL"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(QStringLiteral("SUPERUSER_ADMIN_TOKEN or an admin JWT"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b02020"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(QStringLiteral("Connect"));

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("HTTP API URL:"), m_httpUrl);
    form->addRow(QStringLiteral("Realtime URL:"), m_realtimeUrl);
    form->addRow(QStringLiteral("Token:"), m_token);
    form->addRow(QString(), m_remember);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    setMinimumWidth(480);

    m_httpUrl->setText(initial.httpUrl.toString());
    const QUrl derived = ConnectionSettings::defaultRealtimeUrl(initial.httpUrl);
    m_realtimeEdited =
        initial.realtimeUrl.isValid() && !initial.realtimeUrl.isEmpty() && initial.realtimeUrl != derived;
    m_realtimeUrl->setText((m_realtimeEdited ? initial.realtimeUrl : derived).toString());
    m_token->setText(initial.token);
    m_remember->setChecked(initial.rememberToken);

    connect(m_httpUrl, &QLineEdit::textEdited, this, &ConnectDialog::httpUrlEdited);
    connect(m_realtimeUrl, &QLineEdit::textEdited, this, [this] { m_realtimeEdited = true; });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::tryConnect);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void ConnectDialog::httpUrlEdited(const QString &text) {
    if (!m_realtimeEdited)
        m_realtimeUrl->setText(
            ConnectionSettings::defaultRealtimeUrl(ConnectionSettings::normaliseUrl(text)).toString());
}

void ConnectDialog::setHttpUrl(const QString &url) {
    m_httpUrl->setText(url);
    httpUrlEdited(url);
}

void ConnectDialog::setToken(const QString &token) {
    m_token->setText(token);
}

ConnectionSettings ConnectDialog::settings() const {
    ConnectionSettings settings;
    settings.httpUrl = ConnectionSettings::normaliseUrl(m_httpUrl->text());
    settings.realtimeUrl = ConnectionSettings::normaliseUrl(m_realtimeUrl->text());
    if (settings.realtimeUrl.isEmpty())
        settings.realtimeUrl = ConnectionSettings::defaultRealtimeUrl(settings.httpUrl);
    settings.token = m_token->text().trimmed();
    settings.rememberToken = m_remember->isChecked();
    return settings;
}

QString ConnectDialog::errorText() const {
    return m_error->text();
}

void ConnectDialog::tryConnect() {
    const ConnectionSettings wanted = settings();
    if (wanted.httpUrl.isEmpty()) {
        m_error->setText(QStringLiteral("The HTTP URL is not valid (example: http://localhost:3333)."));
        return;
    }
    if (wanted.token.isEmpty()) {
        m_error->setText(QStringLiteral("A token is needed: SUPERUSER_ADMIN_TOKEN or the JWT of an admin."));
        return;
    }
    m_error->setText(QStringLiteral("Checking %1…").arg(wanted.httpUrl.toString()));
    m_error->setStyleSheet(QString());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    m_connection->verify(wanted, this, [this](const ServerConnection::Verdict &verdict) {
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
        if (verdict.ok) {
            m_error->clear();
            accept();
            return;
        }
        m_error->setStyleSheet(QStringLiteral("color: #b02020"));
        m_error->setText(verdict.message);
    });
}

} // namespace nav::admin
