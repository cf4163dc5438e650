// forge-sim: a stand-in for Stable Diffusion Forge's HTTP API, for Navigator's tests, benchmarks and demos.
#include "SimServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char **argv) {
    qputenv("QT_NO_GLIB", "1"); // Qt's event dispatcher: fewer system calls per request than GLib's
    QCoreApplication app(argc, argv);
    app.setApplicationName("forge-sim");
    QCommandLineParser p;
    p.setApplicationDescription(
        "Simulates the Stable Diffusion Forge HTTP API (/sdapi/v1, /internal/progress) with one FIFO "
        "generation lock.\n"
        "Control endpoints: GET /sim/requests, POST /sim/reset, GET|POST /sim/faults, GET|POST /sim/speed "
        "{step_ms}, GET /sim/state.");
    p.addHelpOption();
    const QCommandLineOption port("port", "TCP port (0 = any free port). Default: 7860.", "port", "7860");
    const QCommandLineOption host("host", "Address to listen on. Default: 127.0.0.1.", "host", "127.0.0.1");
    const QCommandLineOption models("models",
                                    "Comma-separated checkpoint names; the first is loaded at start.",
                                    "a,b,c", "sd_xl_base_1.0,flux1-dev-bnb-nf4-v2,ponyDiffusionV6XL");
    const QCommandLineOption stepMs("step-ms", "Milliseconds per sampling step. Default: 50.", "ms", "50");
    const QCommandLineOption switchMs("switch-ms", "Milliseconds to load another checkpoint. Default: 500.",
                                      "ms", "500");
    const QCommandLineOption previewEvery("preview-every",
                                          "Default show_progress_every_n_steps. Default: 10.", "n", "10");
    const QCommandLineOption seed("seed", "Seed for random seeds (seed=-1) and task ids. Default: 0.", "n",
                                  "0");
    const QCommandLineOption failNext("fail-next", "Fail the next N generations with 500. Default: 0.", "n",
                                      "0");
    const QCommandLineOption failStatus("fail-status", "Status code for --fail-next failures.", "code",
                                        "500");
    const QCommandLineOption dropNext(
        "drop-next", "Drop the connection halfway through the next N generations. Default: 0.", "n", "0");
    const QCommandLineOption delayMs("delay-ms", "Extra latency on every API response. Default: 0.", "ms",
                                     "0");
    const QCommandLineOption unpatched(
        "unpatched", "Behave as stock Forge without Navigator's forge_patches/: no GET "
                     "/sdapi/v1/navigator/results/{task}, and a hires txt2img with "
                     "firstpass_image fails with 500 ValueError instead of starting from that image.");
    const QCommandLineOption upscalers(
        "upscalers",
        "Comma-separated names GET /upscalers lists (and hr_upscaler accepts, besides the "
        "latent modes). Default: " +
            forgesim::Catalog::defaultUpscalerNames().join(',') + ".",
        "a,b,c", forgesim::Catalog::defaultUpscalerNames().join(','));
    const QCommandLineOption apiAuth(
        "api-auth", "Require HTTP Basic credentials on /sdapi/v1 (like Forge --api-auth).", "user:pass");
    p.addOptions({port, host, models, stepMs, switchMs, previewEvery, seed, failNext, failStatus, dropNext,
                  delayMs, unpatched, upscalers, apiAuth});
    p.process(app);

    forgesim::SimConfig config;
    config.models = p.value(models).split(',', Qt::SkipEmptyParts);
    config.stepMs = qMax(0, p.value(stepMs).toInt());
    config.switchMs = qMax(0, p.value(switchMs).toInt());
    config.previewEvery = p.value(previewEvery).toInt();
    config.seed = p.value(seed).toUInt();
    config.unpatched = p.isSet(unpatched);
    forgesim::Catalog::setUpscalerNames(p.value(upscalers).split(',', Qt::SkipEmptyParts));
    forgesim::FaultConfig faults;
    faults.failNext = p.value(failNext).toInt();
    faults.failStatus = p.value(failStatus).toInt();
    faults.dropNext = p.value(dropNext).toInt();
    faults.delayMs = p.value(delayMs).toInt();

    forgesim::SimServer server(config, faults);
    if (p.isSet(apiAuth))
        server.setApiAuth(p.value(apiAuth));
    const QHostAddress address(p.value(host) == "localhost" ? QStringLiteral("127.0.0.1") : p.value(host));
    if (!server.listen(address, quint16(p.value(port).toUInt()))) {
        QTextStream(stderr) << "forge-sim: cannot listen on " << p.value(host) << ":" << p.value(port)
                            << "\n";
        return 1;
    }
    QTextStream(stdout) << "forge-sim listening on http://" << address.toString() << ":" << server.port()
                        << Qt::endl;
    return app.exec();
}
