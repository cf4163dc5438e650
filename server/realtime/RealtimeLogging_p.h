#pragma once
// The logging category of navigator_realtime ("navigator.realtime"), declared once for the library's sources;
// defined in EngineServer.cpp.
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcRealtime)
