// RolePolicy: the rules for changing roles, case by case.
#include "server/auth/RolePolicy.h"

#include <QtTest>

using namespace nav::auth;

Q_DECLARE_METATYPE(std::optional<int>)

class RolePolicyTest : public QObject {
    Q_OBJECT

private slots:
    void discordIds_data() {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("valid");
        QTest::newRow("snowflake") << "123456789012345678" << true;
        QTest::newRow("short") << "1" << true;
        QTest::newRow("max int64") << "9223372036854775807" << true;
        QTest::newRow("overflow") << "9223372036854775808" << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("letters") << "12ab" << false;
        QTest::newRow("negative") << "-5" << false;
        QTest::newRow("hex") << "0x10" << false;
        QTest::newRow("exponent") << "1e5" << false;
        QTest::newRow("spaces") << " 12" << false;
        QTest::newRow("arabic-indic digits") << QString::fromUtf8("١٢٣") << false;
        QTest::newRow("demo") << "demo_user" << false;
        // Issue 12: these answered 500 on the admin endpoints.
        QTest::newRow("zero") << "0" << false;
        QTest::newRow("leading zeros") << "007" << false;
        QTest::newRow("zeros") << "00" << false;
        QTest::newRow("twenty-one digits") << "123456789012345678901" << false;
    }
    void discordIds() {
        QFETCH(QString, id);
        QFETCH(bool, valid);
        QCOMPARE(RolePolicy::isDiscordId(id), valid);
    }

    void changes_data() {
        QTest::addColumn<int>("callerRole");
        QTest::addColumn<QString>("target");
        QTest::addColumn<std::optional<int>>("targetRole");
        QTest::addColumn<int>("newRole");
        QTest::addColumn<int>("status"); // 0: allowed
        const std::optional<int> unknown;
        QTest::newRow("artificer may not manage") << 2 << "7" << unknown << 1 << 403;
        QTest::newRow("architect authorizes new user") << 3 << "7" << unknown << 1 << 0;
        QTest::newRow("architect promotes to artificer") << 3 << "7" << std::optional<int>(1) << 2 << 0;
        QTest::newRow("architect may not grant architect") << 3 << "7" << std::optional<int>(1) << 3 << 403;
        QTest::newRow("architect may not grant apex") << 3 << "7" << std::optional<int>(1) << 4 << 403;
        QTest::newRow("architect disables apprentice") << 3 << "7" << std::optional<int>(1) << 0 << 0;
        QTest::newRow("architect may not disable architect") << 3 << "7" << std::optional<int>(3) << 0 << 403;
        QTest::newRow("architect may not demote apex") << 3 << "7" << std::optional<int>(4) << 1 << 403;
        QTest::newRow("apex grants apex") << 4 << "7" << std::optional<int>(1) << 4 << 0;
        QTest::newRow("apex demotes apex") << 4 << "7" << std::optional<int>(4) << 0 << 0;
        QTest::newRow("own role") << 4 << "1" << std::optional<int>(4) << 1 << 400;
        QTest::newRow("bad id") << 4 << "abc" << unknown << 1 << 400;
        QTest::newRow("bad role") << 4 << "7" << unknown << 5 << 400;
        QTest::newRow("negative role") << 4 << "7" << unknown << -1 << 400;
    }
    void changes() {
        QFETCH(int, callerRole);
        QFETCH(QString, target);
        QFETCH(std::optional<int>, targetRole);
        QFETCH(int, newRole);
        QFETCH(int, status);
        const auto refusal =
            RolePolicy::checkChange(Caller{"1", callerRole, false}, target, targetRole, newRole);
        QCOMPARE(refusal ? refusal->status : 0, status);
    }
};

QTEST_APPLESS_MAIN(RolePolicyTest)
#include "tst_rolepolicy.moc"
