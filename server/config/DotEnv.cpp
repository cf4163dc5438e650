#include "server/config/DotEnv.h"

namespace nav::config {

namespace {

bool isKeyChar(QChar c) {
    return c.isLetterOrNumber() || c == '_' || c == '.' || c == '-';
}

class Scanner {
public:
    explicit Scanner(const QString &text) : m_text(text) {}
    bool atEnd() const { return m_pos >= m_text.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_text[m_pos]; }
    void skipBlanks() {
        while (!atEnd() && (peek() == ' ' || peek() == '\t'))
            ++m_pos;
    }
    void skipLine() {
        while (!atEnd() && peek() != '\n')
            ++m_pos;
        ++m_pos;
    }
    bool consume(const QString &word) {
        if (!m_text.mid(m_pos).startsWith(word))
            return false;
        m_pos += word.size();
        return true;
    }
    QString takeWhile(bool (*pred)(QChar)) {
        const qsizetype start = m_pos;
        while (!atEnd() && pred(peek()))
            ++m_pos;
        return m_text.mid(start, m_pos - start);
    }
    QString restOfLine() {
        const qsizetype start = m_pos;
        while (!atEnd() && peek() != '\n')
            ++m_pos;
        return m_text.mid(start, m_pos - start);
    }
    // Reads a quoted value (possibly spanning lines). On a missing closing quote, restores the position.
    std::optional<QString> quoted() {
        const QChar quote = peek();
        QString inner;
        for (qsizetype i = m_pos + 1; i < m_text.size(); ++i) {
            const QChar c = m_text[i];
            if (c == '\\' && i + 1 < m_text.size() && m_text[i + 1] == quote) {
                inner += quote;
                ++i;
            } else if (c == quote) {
                m_pos = i + 1;
                return inner;
            } else {
                inner += c;
            }
        }
        return std::nullopt;
    }

private:
    const QString &m_text;
    qsizetype m_pos = 0;
};

} // namespace

EnvMap parseDotEnv(const QString &input) {
    QString text = input;
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    EnvMap result;
    Scanner s(text);
    while (!s.atEnd()) {
        s.skipBlanks();
        if (s.consume(QStringLiteral("export ")))
            s.skipBlanks();
        const QString key = s.takeWhile(isKeyChar);
        s.skipBlanks();
        if (key.isEmpty() || !(s.consume(QStringLiteral("=")) || s.consume(QStringLiteral(":")))) {
            s.skipLine(); // comments, blank lines and anything that is not an assignment
            continue;
        }
        s.skipBlanks();
        const QChar quote = s.peek();
        if (quote == '"' || quote == '\'' || quote == '`') {
            if (auto value = s.quoted()) {
                if (quote == '"') {
                    value->replace(QStringLiteral("\\n"), QStringLiteral("\n"));
                    value->replace(QStringLiteral("\\r"), QStringLiteral("\r"));
                }
                result.insert(key, *value);
                s.skipLine(); // a trailing comment after the closing quote
                continue;
            }
        }
        // Unquoted (or unterminated) values end at the first '#', as in dotenv.
        const QString raw = s.restOfLine();
        const qsizetype hash = raw.indexOf('#');
        result.insert(key, (hash >= 0 ? raw.left(hash) : raw).trimmed());
        s.skipLine();
    }
    return result;
}

} // namespace nav::config
