// A libFuzzer-compatible driver for compilers without -fsanitize=fuzzer (the suite builds with g++): runs the
// fuzz entry point over the corpus files given on the command line and over deterministic mutations of them
// (byte flips, insertions of protocol characters, truncations, splices).
// Usage: fuzz_<name>_driver [-runs=N] FILE...
#include <QByteArray>
#include <QFile>
#include <QList>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

void run(const QByteArray &input) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(input.constData()),
                           static_cast<size_t>(input.size()));
}

QByteArray mutate(QByteArray input, const QList<QByteArray> &corpus, std::mt19937 &rng) {
    // Characters that mean something to one of the parsers (Socket.IO, HTTP heads, URLs, JSON, dotenv).
    static const char interesting[] = "0123456789/,-[]{}\":\x1e"
                                      "b_placeholdernum\r\n \t%.=#'`\\";
    const int steps = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < steps; ++i) {
        const qsizetype pos = input.isEmpty() ? 0 : static_cast<qsizetype>(rng() % input.size());
        switch (rng() % 5) {
        case 0:
            if (!input.isEmpty())
                input[pos] = static_cast<char>(rng());
            break;
        case 1:
            input.insert(pos, interesting[rng() % (sizeof(interesting) - 1)]);
            break;
        case 2:
            input.truncate(pos);
            break;
        case 3:
            input.append(corpus.at(static_cast<qsizetype>(rng() % corpus.size())));
            break;
        default:
            if (!input.isEmpty())
                input.remove(pos, 1 + static_cast<qsizetype>(rng() % 4));
            break;
        }
    }
    return input;
}

} // namespace

int main(int argc, char **argv) {
    long runs = 200'000;
    QList<QByteArray> corpus;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "-runs=", 6) == 0) {
            runs = std::strtol(argv[i] + 6, nullptr, 10);
            continue;
        }
        QFile file(QString::fromLocal8Bit(argv[i]));
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "cannot read %s\n", argv[i]);
            return 2;
        }
        corpus.append(file.readAll());
    }
    if (corpus.isEmpty())
        corpus.append(QByteArray("seed"));
    for (const QByteArray &input : corpus)
        run(input);
    std::mt19937 rng(20261126);
    for (long i = 0; i < runs; ++i)
        run(mutate(corpus.at(static_cast<qsizetype>(rng() % corpus.size())), corpus, rng));
    std::printf("fuzz driver: %ld inputs from %lld corpus files, no failure\n", runs,
                static_cast<long long>(corpus.size()));
    return 0;
}
