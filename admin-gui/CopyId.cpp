#include "admin-gui/CopyId.h"

#include <QAbstractItemView>
#include <QClipboard>
#include <QGuiApplication>
#include <QMenu>

namespace nav::admin {

QString copyId(const QModelIndex &index, int idRole) {
    const QString id = index.data(idRole).toString();
    if (!id.isEmpty())
        QGuiApplication::clipboard()->setText(id);
    return id;
}

void installCopyId(QAbstractItemView *view, int idRole, const char *label) {
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(view, &QWidget::customContextMenuRequested, view,
                     [view, idRole, label](const QPoint &at) {
                         const QModelIndex index = view->indexAt(at);
                         const QString id = index.data(idRole).toString();
                         if (id.isEmpty())
                             return;
                         QMenu menu(view);
                         menu.addAction(QString::fromUtf8(label) + QStringLiteral(" (%1)").arg(id),
                                        [index, idRole] { copyId(index, idRole); });
                         menu.exec(view->viewport()->mapToGlobal(at));
                     });
}

} // namespace nav::admin
