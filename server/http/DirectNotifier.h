#pragma once
// A socket notifier that calls its owner directly instead of through its activated() signal: the raw
// connections (HTTP on either port, the realtime port's WebSockets) each have one, and a signal connection
// per connection costs about 100 bytes.
#include <QEvent>
#include <QSocketNotifier>

namespace nav::http {

class DirectNotifier final : public QSocketNotifier {
public:
    class Owner {
    public:
        virtual void socketReady(QSocketNotifier::Type type) = 0;

    protected:
        ~Owner() = default;
    };

    DirectNotifier(qintptr descriptor, Type type, Owner *owner, QObject *parent)
        : QSocketNotifier(descriptor, type, parent), m_owner(owner) {}

protected:
    bool event(QEvent *event) override {
        // QEvent::SockAct is how the event dispatcher reports activity (QSocketNotifier turns it into
        // activated()).
        if (event->type() != QEvent::SockAct && event->type() != QEvent::SockClose)
            return QSocketNotifier::event(event);
        m_owner->socketReady(type());
        return true;
    }

private:
    Owner *m_owner;
};

} // namespace nav::http
