#include "admin-gui/HistoryTab.h"

#include "admin-gui/CopyId.h"
#include "admin-gui/HistoryFeed.h"
#include "admin-gui/HistoryModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace nav::admin {

HistoryTab::HistoryTab(HistoryModel *model, HistoryFeed *feed, QWidget *parent)
    : QWidget(parent), m_model(model), m_feed(feed), m_user(new QLineEdit(this)),
      m_status(new QComboBox(this)), m_backend(new QLineEdit(this)),
      m_useDates(new QCheckBox(QStringLiteral("From"), this)),
      m_from(new QDateEdit(QDate::currentDate(), this)), m_to(new QDateEdit(QDate::currentDate(), this)),
      m_table(new QTableView(this)), m_previous(new QPushButton(QStringLiteral("◀ Newer"), this)),
      m_next(new QPushButton(QStringLiteral("Older ▶"), this)), m_page(new QLabel(this)),
      m_message(new QLabel(this)) {
    m_user->setPlaceholderText(QStringLiteral("owner id"));
    m_user->setClearButtonEnabled(true);
    m_backend->setPlaceholderText(QStringLiteral("backend host:port"));
    m_backend->setClearButtonEnabled(true);
    m_status->addItem(QStringLiteral("All"), QString());
    for (const char *status : {"finished", "failed", "interrupted"})
        m_status->addItem(QString::fromLatin1(status), QString::fromLatin1(status));
    for (QDateEdit *edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setEnabled(false);
    }
    m_useDates->setToolTip(QStringLiteral("Only jobs that ended on these days (UTC)"));
    auto *apply = new QPushButton(QStringLiteral("Apply"), this);
    apply->setDefault(true);

    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(QStringLiteral("User:"), this));
    filters->addWidget(m_user, 2);
    filters->addWidget(new QLabel(QStringLiteral("Status:"), this));
    filters->addWidget(m_status);
    filters->addWidget(new QLabel(QStringLiteral("Backend:"), this));
    filters->addWidget(m_backend, 1);
    filters->addWidget(m_useDates);
    filters->addWidget(m_from);
    filters->addWidget(new QLabel(QStringLiteral("to"), this));
    filters->addWidget(m_to);
    filters->addWidget(apply);

    m_table->setObjectName(QStringLiteral("historyTable"));
    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setIconSize(QSize(HistoryFeed::kThumbnailSize, HistoryFeed::kThumbnailSize));
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(HistoryFeed::kThumbnailSize + 4);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(HistoryModel::ColPrompt, QHeaderView::Stretch);
    m_table->setColumnWidth(HistoryModel::ColImage, HistoryFeed::kThumbnailSize + 8);
    m_table->setWordWrap(false);
    installCopyId(m_table, HistoryModel::OwnerIdRole, "Copy owner id");

    auto *pager = new QHBoxLayout;
    pager->addWidget(m_previous);
    pager->addWidget(m_page);
    pager->addWidget(m_next);
    pager->addStretch(1);
    pager->addWidget(m_message, 3);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);
    layout->addLayout(pager);

    connect(m_useDates, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_useDates, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    connect(apply, &QPushButton::clicked, this, [this] { m_feed->setQuery(queryFromWidgets(1)); });
    connect(m_user, &QLineEdit::returnPressed, apply, &QPushButton::click);
    connect(m_backend, &QLineEdit::returnPressed, apply, &QPushButton::click);
    connect(m_previous, &QPushButton::clicked, this, [this] { showPage(m_feed->query().page - 1); });
    connect(m_next, &QPushButton::clicked, this, [this] { showPage(m_feed->query().page + 1); });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (index.data(HistoryModel::StatusRole).toString() == QLatin1String("finished"))
            openImage(index.data(HistoryModel::JobIdRole).toString());
    });
    connect(feed, &HistoryFeed::reloaded, this, [this] {
        m_message->clear();
        updatePager();
    });
    connect(feed, &HistoryFeed::failed, m_message, &QLabel::setText);
    updatePager();
}

HistoryQuery HistoryTab::queryFromWidgets(int page) const {
    HistoryQuery query = m_feed->query();
    query.user = m_user->text().trimmed();
    query.status = m_status->currentData().toString();
    query.backend = m_backend->text().trimmed();
    query.from = m_useDates->isChecked() ? m_from->date() : QDate();
    query.to = m_useDates->isChecked() ? m_to->date() : QDate();
    query.page = std::max(1, page);
    return query;
}

void HistoryTab::applyFilter(const QString &user, const QString &status, const QString &backend) {
    m_user->setText(user);
    m_status->setCurrentIndex(std::max(0, m_status->findData(status)));
    m_backend->setText(backend);
    m_feed->setQuery(queryFromWidgets(1));
}

void HistoryTab::showPage(int page) {
    HistoryQuery query = m_feed->query();
    query.page = std::max(1, page);
    m_feed->setQuery(query);
}

void HistoryTab::updatePager() {
    const int page = m_model->page();
    const int pages = m_model->pageCount();
    m_page->setText(
        pages == 0 ? QStringLiteral("no jobs")
                   : QStringLiteral("Page %1 of %2 (%3 jobs)").arg(page).arg(pages).arg(m_model->total()));
    m_previous->setEnabled(page > 1);
    m_next->setEnabled(page < pages);
}

QString HistoryTab::pageText() const {
    return m_page->text();
}

QDialog *HistoryTab::openImage(const QString &jobId) {
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(QStringLiteral("Job %1").arg(jobId));
    auto *image = new QLabel(QStringLiteral("Loading…"), dialog);
    image->setObjectName(QStringLiteral("fullImage"));
    image->setAlignment(Qt::AlignCenter);
    auto *scroll = new QScrollArea(dialog);
    scroll->setWidget(image);
    scroll->setWidgetResizable(true);
    auto *info = new QPlainTextEdit(dialog);
    info->setObjectName(QStringLiteral("pngInfo"));
    info->setReadOnly(true);
    auto *splitter = new QSplitter(Qt::Vertical, dialog);
    splitter->addWidget(scroll);
    splitter->addWidget(info);
    splitter->setStretchFactor(0, 4);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(splitter, 1);
    layout->addWidget(buttons);
    dialog->resize(900, 800);
    m_feed->loadFullImage(
        jobId, dialog, [image, info](const QImage &picture, const QString &text, const QString &error) {
            if (!error.isEmpty()) {
                image->setText(error);
                return;
            }
            image->setText({});
            image->setPixmap(QPixmap::fromImage(picture));
            info->setPlainText(text.isEmpty() ? QStringLiteral("(no png-info stored for this image)") : text);
        });
    dialog->show();
    return dialog;
}

} // namespace nav::admin
