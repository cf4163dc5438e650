#include "admin-gui/RequestsTab.h"

#include "admin-gui/CopyId.h"
#include "admin-gui/RequestsFeed.h"
#include "admin-gui/RequestsModel.h"
#include "admin-gui/ServerConnection.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QVBoxLayout>

namespace nav::admin {

namespace {
const QString kNotifySetting = QStringLiteral("requests/notify");
}

RequestsTab::RequestsTab(ServerConnection *connection, RequestsModel *model, RequestsFeed *feed,
                         QWidget *parent)
    : QWidget(parent), m_connection(connection), m_model(model), m_feed(feed), m_table(new QTableView(this)),
      m_empty(new QLabel(this)), m_apprentice(new QPushButton(QStringLiteral("Approve as apprentice"), this)),
      m_artificer(new QPushButton(QStringLiteral("Approve as artificer"), this)),
      m_deny(new QPushButton(QStringLiteral("Deny"), this)),
      m_notify(new QCheckBox(QStringLiteral("Tray notification on a new request"), this)),
      m_message(new QLabel(this)) {
    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setIconSize(QSize(28, 28));
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(34);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(RequestsModel::ColName, QHeaderView::Stretch);
    installCopyId(m_table, RequestsModel::DiscordIdRole);

    m_apprentice->setToolTip(QStringLiteral("Role 1: may generate images"));
    m_artificer->setToolTip(QStringLiteral("Role 2: may also download models"));
    m_deny->setToolTip(QStringLiteral("Keep them out: they stay refused and no longer show here"));
    m_empty->setText(QStringLiteral("No pending requests. Anyone refused at login because they have no role "
                                    "yet shows up here, live."));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setStyleSheet(QStringLiteral("color: #707070"));
    m_message->setWordWrap(true);
    m_notify->setChecked(QSettings().value(kNotifySetting, true).toBool());

    auto *actions = new QHBoxLayout;
    actions->addWidget(new QLabel(QStringLiteral("Selected request:"), this));
    actions->addWidget(m_apprentice);
    actions->addWidget(m_artificer);
    actions->addWidget(m_deny);
    actions->addStretch(1);
    auto *refresh = new QPushButton(QStringLiteral("Refresh"), this);
    actions->addWidget(m_notify);
    actions->addWidget(refresh);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(actions);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_empty);
    layout->addWidget(m_message);

    connect(m_apprentice, &QPushButton::clicked, this, [this] { approveSelected(1); });
    connect(m_artificer, &QPushButton::clicked, this, [this] { approveSelected(2); });
    connect(m_deny, &QPushButton::clicked, this, [this] { denySelected(true); });
    connect(refresh, &QPushButton::clicked, feed, &RequestsFeed::reload);
    connect(m_notify, &QCheckBox::toggled, this, [](bool on) { QSettings().setValue(kNotifySetting, on); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RequestsTab::updateActions);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(model, signal, this, &RequestsTab::updateActions);
    connect(model, &QAbstractItemModel::modelReset, this, &RequestsTab::updateActions);
    connect(connection, &ServerConnection::statusUpdated, this, &RequestsTab::updateActions);
    connect(feed, &RequestsFeed::failed, this, &RequestsTab::setMessage);
    connect(feed, &RequestsFeed::requestArrived, this, [this](const QJsonObject &request) {
        const AccessRequest r = AccessRequest::fromJson(request);
        setMessage(QStringLiteral("New access request from %1.").arg(requestLabel(r)));
        if (m_notify->isChecked())
            emit notify(
                QStringLiteral("Access request"),
                QStringLiteral("%1 (%2) asks for access to Navigator.").arg(requestLabel(r), r.discordId));
    });
    updateActions();
}

QString RequestsTab::selectedRequest() const {
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(RequestsModel::DiscordIdRole).toString();
}

bool RequestsTab::selectRequest(const QString &discordId) {
    const int row = m_model->rowOf(discordId);
    if (row >= 0)
        m_table->selectRow(row);
    return row >= 0;
}

void RequestsTab::updateActions() {
    const bool selected = !selectedRequest().isEmpty();
    const int grantable = m_connection->maxAssignableRole();
    m_apprentice->setEnabled(selected && grantable >= 1);
    m_artificer->setEnabled(selected && grantable >= 2);
    m_deny->setEnabled(selected);
    m_empty->setVisible(m_model->rowCount() == 0);
    if (m_model->rowCount() > 0 && !selected)
        m_table->selectRow(0);
}

void RequestsTab::approveSelected(int role) {
    const auto request = m_model->request(selectedRequest());
    if (!request)
        return;
    const QString who = requestLabel(*request);
    const QString roleName = role == 2 ? QStringLiteral("artificer") : QStringLiteral("apprentice");
    setMessage(QStringLiteral("Approving %1…").arg(who));
    m_feed->approve(request->discordId, role, [this, who, roleName](bool ok, const QString &error) {
        setMessage(ok ? QStringLiteral("Approved %1 as %2: their next login works.").arg(who, roleName)
                      : QStringLiteral("Approving %1 failed: %2").arg(who, error));
    });
}

void RequestsTab::denySelected(bool confirm) {
    const auto request = m_model->request(selectedRequest());
    if (!request)
        return;
    const QString who = requestLabel(*request);
    if (confirm &&
        QMessageBox::question(this, QStringLiteral("Deny access"),
                              QStringLiteral("Deny %1 (%2)? They stay refused and leave this list; "
                                             "you can still authorize them later.")
                                  .arg(who, request->discordId)) != QMessageBox::Yes)
        return;
    setMessage(QStringLiteral("Denying %1…").arg(who));
    m_feed->deny(request->discordId, [this, who](bool ok, const QString &error) {
        setMessage(ok ? QStringLiteral("Denied %1.").arg(who)
                      : QStringLiteral("Denying %1 failed: %2").arg(who, error));
    });
}

QString RequestsTab::message() const {
    return m_message->text();
}

bool RequestsTab::notificationsEnabled() const {
    return m_notify->isChecked();
}

void RequestsTab::setNotificationsEnabled(bool on) {
    m_notify->setChecked(on);
}

void RequestsTab::setMessage(const QString &text) {
    m_message->setText(text);
}

} // namespace nav::admin
