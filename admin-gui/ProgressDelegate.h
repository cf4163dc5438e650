#pragma once
// Draws a progress bar inside a table cell from QueueModel::ProgressRole (0..100; -1 draws plain text).
#include <QStyledItemDelegate>

namespace nav::admin {

class ProgressDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace nav::admin
