#pragma once
// The "Copy id" context-menu action of the tables that show people by name: the Discord id (kept in the
// model under `idRole`) goes to the clipboard.
#include <QString>

class QAbstractItemView;
class QModelIndex;

namespace nav::admin {

// Adds the context menu to `view`.
void installCopyId(QAbstractItemView *view, int idRole, const char *label = "Copy id");
// What the action does: puts the id of `index` on the clipboard and returns it (empty: nothing copied).
QString copyId(const QModelIndex &index, int idRole);

} // namespace nav::admin
