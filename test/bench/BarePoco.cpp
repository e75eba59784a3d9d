// scripts/bench.sh http: the framework's ceiling. A bare Poco HTTPServer (its own accept loop, threads and
// keep-alive, 16 threads as the registry's default) answering every request with the bytes of a file, as
// nginx does beside it; the registry's line in the same table is this plus its own work.
// Usage: bare_poco PORT FILE (runs until SIGTERM).
#include <Poco/FileStream.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/Util/ServerApplication.h>

#include <iostream>
#include <sstream>
#include <string>

namespace {

class Answer : public Poco::Net::HTTPRequestHandler {
public:
    explicit Answer(const std::string& body) : _body(body) {}
    void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) override {
        response.setContentType("application/json; charset=utf-8");
        response.setContentLength(static_cast<std::streamsize>(_body.size()));
        response.send() << _body;
    }

private:
    const std::string& _body;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(std::string body) : _body(std::move(body)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Answer(_body);
    }

private:
    std::string _body;
};

class BarePoco : public Poco::Util::ServerApplication {
protected:
    int main(const std::vector<std::string>& args) override {
        if (args.size() != 2) {
            std::cerr << "usage: bare_poco PORT FILE\n";
            return EXIT_USAGE;
        }
        Poco::FileInputStream in(args[1]);
        std::ostringstream body;
        Poco::StreamCopier::copyStream(in, body);
        auto* params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(16);
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(std::stoi(args[0]))));
        Poco::Net::HTTPServer server(new Factory(body.str()), socket, params);
        server.start();
        waitForTerminationRequest();
        server.stop();
        return EXIT_OK;
    }
};

} // namespace

POCO_SERVER_MAIN(BarePoco)
