import Foundation
import Testing
@testable import RunnerScaler

@Suite("Delivery decoding")
struct DeliveryDecoderTests {
    static let workflowJobExamples = try! Conformance.files(in: "github/webhooks/payload-examples/workflow_job")
    static let pingExamples = try! Conformance.files(in: "github/webhooks/payload-examples/ping")
    static let otherExamples = try! Conformance.files(in: "github/webhooks/payload-examples/push")
        + Conformance.files(in: "github/webhooks/payload-examples/workflow_run")

    func request(event: String, body: [UInt8], contentType: String = "application/json") -> WebhookRequest {
        WebhookRequest(headers: ["X-GitHub-Event": event, "Content-Type": contentType], body: body)
    }

    @Test("Every workflow_job payload example decodes with its action, job and repository",
          arguments: DeliveryDecoderTests.workflowJobExamples)
    func workflowJobExample(path: String) throws {
        let body = try Conformance.data(path)
        let raw = try JSONSerialization.jsonObject(with: body) as! [String: Any]
        let job = raw["workflow_job"] as! [String: Any]
        guard case let .workflowJob(event) = try DeliveryDecoder.decode(request(event: "workflow_job", body: Array(body))) else {
            Issue.record("not decoded as workflow_job")
            return
        }
        #expect(event.action.rawValue == raw["action"] as! String)
        #expect(event.workflowJob.id == (job["id"] as! NSNumber).int64Value)
        #expect(event.workflowJob.labels == job["labels"] as! [String])
        #expect(event.workflowJob.runnerName == job["runner_name"] as? String)
        #expect(event.workflowJob.conclusion == job["conclusion"] as? String)
        #expect(event.repository.fullName == (raw["repository"] as! [String: Any])["full_name"] as! String)
        #expect(event.installation?.id == ((raw["installation"] as? [String: Any])?["id"] as? NSNumber)?.int64Value)
    }

    @Test("Every ping example decodes", arguments: DeliveryDecoderTests.pingExamples)
    func pingExample(path: String) throws {
        let body = try Conformance.data(path)
        guard case let .ping(ping) = try DeliveryDecoder.decode(request(event: "ping", body: Array(body))) else {
            Issue.record("not decoded as ping")
            return
        }
        #expect(ping.zen?.isEmpty == false)
        #expect(ping.hookID != nil)
    }

    @Test("Other events decode as acknowledged-but-ignored", arguments: DeliveryDecoderTests.otherExamples)
    func otherExample(path: String) throws {
        let event = path.contains("/push/") ? "push" : "workflow_run"
        let delivery = try DeliveryDecoder.decode(request(event: event, body: Array(try Conformance.data(path))))
        #expect(delivery.eventName == event)
        if case .other = delivery {} else { Issue.record("expected .other") }
    }

    @Test("Form-encoded deliveries decode from the payload field")
    func formEncoded() throws {
        let json = try Conformance.data("github/webhooks/payload-examples/workflow_job/queued.payload.json")
        let body = "payload=" + FormURLEncoding.encodeComponent(String(decoding: json, as: UTF8.self))
        let delivery = try DeliveryDecoder.decode(
            request(event: "workflow_job", body: Array(body.utf8), contentType: "application/x-www-form-urlencoded; charset=utf-8"))
        guard case let .workflowJob(event) = delivery else { Issue.record("not workflow_job"); return }
        #expect(event.action == .queued)
        #expect(event.workflowJob.id == 289782451)
    }

    @Test("A form body without payload= is 400")
    func formWithoutPayload() {
        #expect(throws: WebhookRejection.invalidBody("form-encoded body has no payload= field")) {
            try DeliveryDecoder.decode(self.request(event: "ping", body: Array("x=1".utf8), contentType: "application/x-www-form-urlencoded"))
        }
    }

    @Test("A body that is not JSON is 400 and the message names the problem")
    func invalidJSON() {
        do {
            _ = try DeliveryDecoder.decode(request(event: "workflow_job", body: Array(#"{"action":"queued","#.utf8)))
            Issue.record("decoded garbage")
        } catch {
            #expect(error.status == 400)
            #expect(error.description.hasPrefix("body is not valid JSON: "))
            #expect(error.description.count > "body is not valid JSON: ".count)
        }
    }

    @Test("An empty body is 400 and says so")
    func emptyBody() {
        #expect(throws: WebhookRejection.invalidBody("body is empty; expected a JSON object")) {
            try DeliveryDecoder.decode(self.request(event: "workflow_job", body: []))
        }
    }

    @Test("A workflow_job missing a required field is 400 naming the field")
    func missingField() {
        let body = #"{"action":"queued","workflow_job":{"run_id":1,"labels":[]},"repository":{"name":"r","full_name":"o/r","owner":{"login":"o"}}}"#
        #expect(throws: WebhookRejection.invalidBody("workflow_job payload is missing workflow_job.id")) {
            try DeliveryDecoder.decode(self.request(event: "workflow_job", body: Array(body.utf8)))
        }
    }

    @Test("A wrong type is 400 naming the path")
    func wrongType() {
        let body = #"{"action":"queued","workflow_job":{"id":"x","run_id":1},"repository":{"name":"r","full_name":"o/r","owner":{"login":"o"}}}"#
        do {
            _ = try DeliveryDecoder.decode(request(event: "workflow_job", body: Array(body.utf8)))
            Issue.record("decoded a string id")
        } catch {
            #expect(error.status == 400)
            #expect(error.description.contains("workflow_job.id"))
        }
    }

    @Test("Unknown fields are ignored and optional fields may be missing")
    func tolerant() throws {
        let body = #"{"action":"queued","brand_new":{"x":1},"workflow_job":{"id":7,"run_id":8,"future":true},"repository":{"name":"r","full_name":"o/r","owner":{"login":"o"}}}"#
        guard case let .workflowJob(event) = try DeliveryDecoder.decode(request(event: "workflow_job", body: Array(body.utf8)))
        else { Issue.record("not workflow_job"); return }
        #expect(event.workflowJob.labels == [])
        #expect(event.workflowJob.runAttempt == nil)
        #expect(event.installation == nil)
    }

    @Test("Unknown workflow_job actions decode and keep their name")
    func unknownAction() throws {
        let body = #"{"action":"teleported","workflow_job":{"id":7,"run_id":8},"repository":{"name":"r","full_name":"o/r","owner":{"login":"o"}}}"#
        let delivery = try DeliveryDecoder.decode(request(event: "workflow_job", body: Array(body.utf8)))
        #expect(delivery.action == "teleported")
    }

    @Test("A missing X-GitHub-Event header is 400")
    func missingEvent() {
        #expect(throws: WebhookRejection.missingEventHeader) {
            try DeliveryDecoder.decode(WebhookRequest(headers: [:], body: Array("{}".utf8)))
        }
    }

    @Test("An unsupported content type is 415")
    func unsupportedContentType() {
        #expect(throws: WebhookRejection.unsupportedContentType("text/plain")) {
            try DeliveryDecoder.decode(self.request(event: "ping", body: Array("{}".utf8), contentType: "text/plain"))
        }
    }
}
