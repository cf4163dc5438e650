#include "admin-gui/UsersTab.h"

#include "admin-gui/CopyId.h"
#include "admin-gui/ServerConnection.h"
#include "admin-gui/UsersFeed.h"
#include "admin-gui/UsersModel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QTableView>
#include <QVBoxLayout>

namespace nav::admin {

UsersTab::UsersTab(ServerConnection *connection, UsersModel *model, UsersFeed *feed, QWidget *parent)
    : QWidget(parent), m_connection(connection), m_model(model), m_feed(feed), m_table(new QTableView(this)),
      m_discordId(new QLineEdit(this)), m_authorize(new QPushButton(QStringLiteral("Authorize"), this)),
      m_role(new QComboBox(this)), m_setRole(new QPushButton(QStringLiteral("Set role"), this)),
      m_disable(new QPushButton(QStringLiteral("Disable user"), this)),
      m_previous(new QPushButton(QStringLiteral("◀ Previous"), this)),
      m_next(new QPushButton(QStringLiteral("Next ▶"), this)), m_pager(new QLabel(this)),
      m_message(new QLabel(this)), m_selected(new QLabel(this)) {
    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    installCopyId(m_table, UsersModel::DiscordIdRole);

    m_discordId->setPlaceholderText(QStringLiteral("Discord user ID"));
    m_discordId->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,32}")), m_discordId));
    m_message->setWordWrap(true);

    auto *authorizeRow = new QHBoxLayout;
    authorizeRow->addWidget(new QLabel(QStringLiteral("Authorize a Discord ID:"), this));
    authorizeRow->addWidget(m_discordId, 1);
    authorizeRow->addWidget(m_authorize);
    authorizeRow->addSpacing(24);
    authorizeRow->addWidget(m_selected);
    authorizeRow->addWidget(m_role);
    authorizeRow->addWidget(m_setRole);
    authorizeRow->addWidget(m_disable);

    auto *pagerRow = new QHBoxLayout;
    auto *refresh = new QPushButton(QStringLiteral("Refresh"), this);
    pagerRow->addWidget(m_previous);
    pagerRow->addWidget(m_pager);
    pagerRow->addWidget(m_next);
    pagerRow->addStretch(1);
    pagerRow->addWidget(refresh);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(authorizeRow);
    layout->addWidget(m_table, 1);
    layout->addLayout(pagerRow);
    layout->addWidget(m_message);

    connect(m_authorize, &QPushButton::clicked, this, [this] { authorize(m_discordId->text(), true); });
    connect(m_discordId, &QLineEdit::returnPressed, this, [this] { authorize(m_discordId->text(), true); });
    connect(m_discordId, &QLineEdit::textChanged, this, &UsersTab::updateActions);
    connect(m_setRole, &QPushButton::clicked, this,
            [this] { setSelectedRole(m_role->currentData().toInt(), true); });
    connect(m_disable, &QPushButton::clicked, this, [this] { disableSelected(true); });
    connect(m_previous, &QPushButton::clicked, this, [this] { m_feed->load(m_model->currentPage() - 1); });
    connect(m_next, &QPushButton::clicked, this, [this] { m_feed->load(m_model->currentPage() + 1); });
    connect(refresh, &QPushButton::clicked, feed, &UsersFeed::reload);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &UsersTab::updateActions);
    // Keep the selected user selected across reloads (every action reloads the page).
    connect(model, &QAbstractItemModel::modelAboutToBeReset, this,
            [this] { m_table->setProperty("keepSelected", selectedUser()); });
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        selectUser(m_table->property("keepSelected").toString());
        updateActions();
    });
    connect(feed, &UsersFeed::reloaded, this, &UsersTab::updatePager);
    connect(feed, &UsersFeed::failed, this, [this](const QString &error) {
        setMessage(error);
        updatePager();
    });
    connect(connection, &ServerConnection::statusUpdated, this, &UsersTab::updateRoles);
    updateRoles();
    updatePager();
}

QList<int> UsersTab::assignableRoles() const {
    QList<int> roles;
    for (int role = 0; role <= m_connection->maxAssignableRole(); ++role)
        roles.append(role);
    return roles;
}

void UsersTab::updateRoles() {
    const QList<int> roles = assignableRoles();
    if (m_role->count() == roles.size())
        return;
    m_role->clear();
    for (int role : roles)
        m_role->addItem(UsersModel::roleName(role), role);
    updateActions();
}

void UsersTab::updatePager() {
    const bool usable = !m_feed->unsupported();
    m_pager->setText(usable ? QStringLiteral("Page %1 of %2 · %3 users")
                                  .arg(m_model->currentPage())
                                  .arg(m_model->totalPages())
                                  .arg(m_model->totalCount())
                            : QString());
    m_previous->setEnabled(usable && m_model->currentPage() > 1);
    m_next->setEnabled(usable && m_model->currentPage() < m_model->totalPages());
}

QString UsersTab::selectedUser() const {
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(UsersModel::DiscordIdRole).toString();
}

bool UsersTab::selectUser(const QString &discordId) {
    const int row = m_model->rowOf(discordId);
    if (row >= 0)
        m_table->selectRow(row);
    return row >= 0;
}

void UsersTab::updateActions() {
    const QString user = selectedUser();
    const int row = m_model->rowOf(user);
    m_selected->setText(user.isEmpty() ? QStringLiteral("Selected user:")
                                       : QStringLiteral("Selected: %1").arg(m_model->describe(user)));
    m_selected->setToolTip(user.isEmpty() ? QString() : QStringLiteral("Discord ID %1").arg(user));
    const int role = row >= 0 ? m_model->userAt(row).role : -1;
    // A user above what the caller may hand out is out of reach for role changes and disabling, and
    // nobody changes their own role.
    const bool reachable = !user.isEmpty() && role <= m_connection->maxAssignableRole() &&
                           user != m_connection->caller().discordId;
    m_authorize->setEnabled(!m_discordId->text().isEmpty());
    m_role->setEnabled(reachable);
    m_setRole->setEnabled(reachable && m_role->count() > 0);
    m_disable->setEnabled(reachable && role > 0);
    if (reachable) {
        const int at = m_role->findData(role);
        if (at >= 0)
            m_role->setCurrentIndex(at);
    }
}

void UsersTab::authorize(const QString &discordId, bool confirm) {
    const QString id = discordId.trimmed();
    if (id.isEmpty())
        return;
    if (confirm &&
        QMessageBox::question(this, QStringLiteral("Authorize user"),
                              QStringLiteral("Give Discord user %1 access to this Navigator?").arg(id)) !=
            QMessageBox::Yes)
        return;
    setMessage(QStringLiteral("Authorizing %1…").arg(id));
    m_feed->authorize(id, [this, id](bool ok, const QString &message) {
        setMessage(ok ? QStringLiteral("Authorized %1. %2").arg(id, message)
                      : QStringLiteral("Authorizing %1 failed: %2").arg(id, message));
        if (ok)
            m_discordId->clear();
    });
}

void UsersTab::disableSelected(bool confirm) {
    const QString id = selectedUser();
    if (id.isEmpty())
        return;
    const QString who = m_model->describe(id);
    if (confirm &&
        QMessageBox::warning(this, QStringLiteral("Disable user"),
                             QStringLiteral("Disable Discord user %1? They lose access at once and cannot "
                                            "log in until authorized again.")
                                 .arg(who),
                             QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes)
        return;
    setMessage(QStringLiteral("Disabling %1…").arg(who));
    m_feed->disable(id, [this, who](bool ok, const QString &message) {
        setMessage(ok ? QStringLiteral("Disabled %1. %2").arg(who, message)
                      : QStringLiteral("Disabling %1 failed: %2").arg(who, message));
    });
}

void UsersTab::setSelectedRole(int role, bool confirm) {
    const QString id = selectedUser();
    if (id.isEmpty() || role < 0 || role > m_connection->maxAssignableRole())
        return;
    const QString who = m_model->describe(id);
    if (confirm && QMessageBox::question(
                       this, QStringLiteral("Change role"),
                       QStringLiteral("Set the role of %1 to %2?").arg(who, UsersModel::roleName(role))) !=
                       QMessageBox::Yes)
        return;
    setMessage(QStringLiteral("Changing the role of %1…").arg(who));
    m_feed->setRole(id, role, [this, who, role](bool ok, const QString &message) {
        setMessage(ok ? QStringLiteral("%1 is now %2. %3").arg(who, UsersModel::roleName(role), message)
                      : QStringLiteral("Changing the role of %1 failed: %2").arg(who, message));
    });
}

QString UsersTab::message() const {
    return m_message->text();
}

void UsersTab::setMessage(const QString &text) {
    m_message->setText(text);
}

} // namespace nav::admin
