#include "server/http/DeferredTlsLoad.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstring>

namespace nav::http {

namespace {

QLoggingCategory::CategoryFilter g_chained = nullptr; // the filter in place before (Qt's rules)

// Qt's TLS category warns about the missing backend; every other category keeps its rules.
void silenceTlsWarnings(QLoggingCategory *category) {
    if (g_chained)
        g_chained(category);
    if (std::strcmp(category->categoryName(), "qt.network.ssl") == 0)
        category->setEnabled(QtWarningMsg, false);
}

} // namespace

DeferredTlsLoad::DeferredTlsLoad() : m_pluginPaths(QCoreApplication::libraryPaths()) {
    g_chained = QLoggingCategory::installFilter(silenceTlsWarnings);
    QCoreApplication::setLibraryPaths({});
}

DeferredTlsLoad::~DeferredTlsLoad() {
    QCoreApplication::setLibraryPaths(m_pluginPaths);
    QLoggingCategory::installFilter(g_chained); // re-applies the rules to every category
    g_chained = nullptr;
}

} // namespace nav::http
