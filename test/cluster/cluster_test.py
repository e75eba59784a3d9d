#!/usr/bin/env python3
"""The cluster test (issue 18): three `serve` instances, each on its own node of a three-node Galera cluster,
behind haproxy, under a steady load of writes through the balancer. A database node is killed (-9) and
brought back, then an instance; afterwards every acknowledged write is present exactly once on every node
with its change-log entry (no write half-done), the scheduled audit of each cron slot ran exactly once, and
clients saw only 201s, 503s with Retry-After and 409s (retried), never another 5xx.

Run by test/cluster/run.sh, which starts and stops the Galera nodes. Only the standard library.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(*args):
    print("cluster:", *args, file=sys.stderr, flush=True)


class Cluster:
    """The Galera nodes, through test/cluster/galera.sh."""

    def __init__(self, directory, ports):
        self.dir = directory
        self.ports = ports

    def _bash(self, call):
        subprocess.run(["bash", "-c", f'source "{HERE}/galera.sh"; {call}'], check=True)

    def kill(self, k):
        self._bash(f'galera_kill "{self.dir}" {k}')

    def rejoin(self, k):
        self._bash(f'galera_rejoin "{self.dir}" {k}')

    def sql(self, k, query):
        out = subprocess.run(
            ["mariadb", "--no-defaults", "-uroot", f"--socket={self.dir}/node{k}/sock", "-N", "-B",
             "registry_cluster", "-e", query], check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines()]

    def url(self, k):
        return f"mysql://registry:registry@127.0.0.1:{self.ports[k - 1]}/registry_cluster"


class Instance:
    def __init__(self, binary, workdir, k, db_url):
        self.binary, self.k, self.db_url = binary, k, db_url
        self.port = free_port()
        self.dir = os.path.join(workdir, f"instance{k}")
        os.makedirs(self.dir, exist_ok=True)
        self.proc = None

    def start(self):
        args = [self.binary, "--set", "auth.pbkdf2_iterations=1000", "--set", f"plugins.dir={ROOT}/plugins",
                "--set", "audit.schedule=* * * * *", "--set", f"audit.instance_id=instance{self.k}",
                "--set", "audit.run_missed_on_start=false", "--set", "db.pool_size=8", "serve"]
        env = dict(os.environ, REGISTRY_DB_URL=self.db_url, REGISTRY_HTTP_PORT=str(self.port))
        self.log = open(os.path.join(self.dir, "server.log"), "ab")
        self.proc = subprocess.Popen(args, cwd=self.dir, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"instance {self.k} exited at start; see {self.dir}/server.log")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"instance {self.k} did not get ready in 60 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def metric(self, name):
        """Sum of the samples of `name` on this instance's /metrics (0 if it does not answer)."""
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            c.request("GET", "/metrics")
            text = c.getresponse().read().decode()
        except OSError:
            return 0
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total


class Balancer:
    """haproxy in front of the instances: health checks on /readyz, a connection that fails goes to another
    instance (never a request that reached one: haproxy retries only connection failures), and when no
    instance can answer, or one dies while answering, a 503 with Retry-After."""

    def __init__(self, workdir, instances):
        self.dir = os.path.join(workdir, "haproxy")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        body = json.dumps({"type": "about:blank", "title": "Service unavailable", "status": 503,
                           "detail": "no registry instance answered; retry later"})
        for code in (502, 503, 504):
            with open(os.path.join(self.dir, f"{code}.http"), "w") as f:
                f.write("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
                        f"Retry-After: 1\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n{body}")
        servers = "\n".join(
            f"    server i{i.k} 127.0.0.1:{i.port} check inter 500 fall 2 rise 2" for i in instances)
        errorfiles = "\n".join(f"    errorfile {c} {self.dir}/{c}.http" for c in (502, 503, 504))
        with open(os.path.join(self.dir, "haproxy.cfg"), "w") as f:
            f.write(f"""global
    maxconn 1000
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 150s
    retries 2
    option redispatch
{errorfiles}
frontend registry
    bind 127.0.0.1:{self.port}
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
{servers}
""")
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", os.path.join(self.dir, "haproxy.cfg")],
                                     stdout=open(os.path.join(self.dir, "haproxy.log"), "wb"),
                                     stderr=subprocess.STDOUT)
        time.sleep(1.5)
        if self.proc.poll() is not None:
            raise RuntimeError("haproxy exited at start; see " + self.dir)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = {}
        self.acked = {}        # name -> id, from a 201
        self.found = {}        # name -> id, found after an unanswered or 503 attempt (not acknowledged)
        self.bad = []          # answers a client must never see
        self.retried_409 = 0

    def saw(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1


class Client:
    def __init__(self, port, token):
        self.port, self.token = port, token

    def send(self, method, path, body=None, headers=None):
        h = {"Authorization": "Bearer " + self.token}
        if body is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        # Longer than any request can take on the server (its database reads and writes time out at 120 s):
        # an attempt given up while the server still works on it could commit after the lookup that found
        # nothing, and its retry would then write twice.
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=150)
        try:
            c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
            r = c.getresponse()
            data = r.read()
            # haproxy passes header names in lower case: look them up that way.
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()


def find_by_name(client, name):
    status, _, data = client.send("GET", "/api/v1/facilities?q=" + urllib.parse.quote(name))
    if status != 200:
        return None, False
    items = [i for i in json.loads(data)["items"] if i["name"] == name]
    return (items[0]["id"] if items else None), True


def writer(w, client, tally, stop, shared_id):
    try:
        write_until_stopped(w, client, tally, stop, shared_id)
    except Exception as e:  # a writer that died is a failure of the test, not a quiet end of its load
        with tally.lock:
            tally.bad.append(("writer died", repr(e)))


def write_until_stopped(w, client, tally, stop, shared_id):
    """Creates facilities with unique names; after an attempt without an answer or with a 503, looks the
    name up before trying again (an attempt that reached an instance may have committed), so no write is
    made twice. Every fifth round also updates a facility the writers share (409 on a stale version:
    re-read and retry)."""
    i = 0
    while not stop.is_set():
        i += 1
        name = f"cluster-{w}-{i}"
        body = {"name": name, "kind": "funeral_home", "district": "110108", "status": "operating"}
        for attempt in range(60):
            if attempt:
                found, answered = find_by_name(client, name)
                if found:
                    with tally.lock:
                        tally.found[name] = found
                    break
                if not answered:
                    time.sleep(0.5)
                    continue
            try:
                status, headers, data = client.send("POST", "/api/v1/facilities", body)
            except OSError:
                tally.saw("no answer")
                time.sleep(0.5)
                continue
            tally.saw(status)
            if status == 201:
                with tally.lock:
                    tally.acked[name] = json.loads(data)["id"]
                break
            if status == 503 and "retry-after" in headers:
                time.sleep(min(1.0, float(headers["retry-after"])))
                continue
            with tally.lock:
                tally.bad.append((status, data[:300]))
            break
        if i % 5 == 0:
            for _ in range(30):
                try:
                    status, headers, data = client.send("GET", f"/api/v1/facilities/{shared_id}")
                    if status != 200:
                        tally.saw(status)
                        if status != 503:
                            tally.bad.append((status, data[:300]))
                        time.sleep(0.5)
                        continue
                    record = json.loads(data)
                    record["notes"] = f"writer {w} round {i}"
                    for key in ("id", "code", "version", "created_at", "updated_at", "checks"):
                        record.pop(key, None)
                    status, _, data = client.send("PUT", f"/api/v1/facilities/{shared_id}", record,
                                                  {"If-Match": headers["etag"]})
                except OSError:
                    tally.saw("no answer")
                    time.sleep(0.5)
                    continue
                tally.saw(status)
                if status == 200:
                    break
                if status == 409:
                    with tally.lock:
                        tally.retried_409 += 1
                    time.sleep(random.uniform(0, 0.05))
                    continue
                if status == 503:
                    time.sleep(0.5)
                    continue
                with tally.lock:
                    tally.bad.append((status, data[:300]))
                break
        time.sleep(0.02)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--ports", required=True)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    cluster = Cluster(args.dir, [int(p) for p in args.ports.split()])
    work = os.path.join(args.dir, "work")
    os.makedirs(work, exist_ok=True)

    def cli(*cli_args, stdin=None):
        return subprocess.run([args.binary, "--set", "auth.pbkdf2_iterations=1000", *cli_args], cwd=work,
                              env=dict(os.environ, REGISTRY_DB_URL=cluster.url(1)), input=stdin, text=True,
                              check=True, capture_output=True).stdout

    cli("migrate")
    cli("user", "add", "admin", "--role", "admin", "--password-stdin", stdin="cluster-password-1\n")
    token = cli("user", "token", "admin").strip()

    instances = [Instance(args.binary, work, k, cluster.url(k)) for k in (1, 2, 3)]
    balancer = None
    failures = []
    try:
        for i in instances:
            i.start()
        balancer = Balancer(work, instances)
        client = Client(balancer.port, token)
        status, _, data = client.send("POST", "/api/v1/facilities",
                                      {"name": "cluster-shared", "kind": "funeral_home", "district": "110108",
                                       "status": "operating"})
        assert status == 201, (status, data)
        shared_id = json.loads(data)["id"]
        started = time.time()
        tally, stop = Tally(), threading.Event()
        threads = [threading.Thread(target=writer, args=(w, client, tally, stop, shared_id))
                   for w in range(args.writers)]
        for t in threads:
            t.start()

        def phase(what, seconds):
            log(f"{time.time() - started:5.1f} s: {what}; {len(tally.acked)} writes acknowledged so far")
            time.sleep(seconds)

        phase("steady load", 10)
        cluster.kill(2)
        phase("database node 2 killed (-9)", 15)
        t0 = time.time()
        cluster.rejoin(2)
        rejoin_seconds = time.time() - t0
        phase(f"node 2 rejoined and synced in {rejoin_seconds:.1f} s", 10)
        instances[2].kill()
        phase("instance 3 killed (-9)", 10)
        instances[2].start()
        phase("instance 3 restarted", 15)
        # At least one whole cron slot (every minute) inside the load.
        while time.time() - started < 75:
            time.sleep(1)
        stop.set()
        for t in threads:
            t.join(120)
        ended = time.time()
        log(f"{ended - started:5.1f} s: load stopped")

        # Every node synced and in one cluster of three before anything is compared.
        for _ in range(120):
            states = [cluster.sql(k, "SHOW STATUS LIKE 'wsrep_local_state_comment'")[0][1] for k in (1, 2, 3)]
            size = cluster.sql(1, "SHOW STATUS LIKE 'wsrep_cluster_size'")[0][1]
            if states == ["Synced"] * 3 and size == "3":
                break
            time.sleep(0.5)
        else:
            failures.append(f"the cluster did not settle: {states}, size {size}")

        # Scheduled audits: the slots that came and went during the load, each run exactly once.
        time.sleep(5)
        slots = {}
        for k in (1, 2, 3):
            rows = cluster.sql(k, "SELECT scheduled_for, status, runner FROM audit_runs "
                                  "WHERE trigger_kind = 'schedule' ORDER BY scheduled_for")
            slots[k] = rows
        if not (slots[1] == slots[2] == slots[3]):
            failures.append(f"the nodes disagree about the audit runs: {slots}")
        per_slot = {}
        for scheduled_for, status, runner in slots[1]:
            per_slot.setdefault(scheduled_for, []).append((status, runner))
        if not per_slot:
            failures.append("no scheduled audit ran during the test")
        for slot, runs in per_slot.items():
            if len(runs) != 1 or runs[0][0] != "succeeded":
                failures.append(f"slot {slot}: {runs} (expected one succeeded run)")

        # Every acknowledged write exactly once on every node, with its change-log entry.
        counts = {}
        for k in (1, 2, 3):
            rows = cluster.sql(k, "SELECT f.name, COUNT(DISTINCT f.id), COUNT(c.id) FROM facilities f LEFT JOIN "
                                  "change_log c ON c.entity = 'facility' AND c.entity_id = f.id AND "
                                  "c.action = 'create' WHERE f.name LIKE 'cluster-%' GROUP BY f.name")
            counts[k] = {name: (int(n), int(logged)) for name, n, logged in rows}
        for k in (2, 3):
            if counts[k] != counts[1]:
                failures.append(f"node {k} differs from node 1 in the written facilities")
        for name in tally.acked:
            if counts[1].get(name) != (1, 1):
                failures.append(f"acknowledged write {name}: {counts[1].get(name)} (rows, create entries) on node 1")
        for name, (n, logged) in counts[1].items():
            if n != 1 or logged != 1:
                failures.append(f"{name}: {n} rows, {logged} create entries")
        checksums = {k: cluster.sql(k, "CHECKSUM TABLE facilities, change_log, findings") for k in (1, 2, 3)}
        if not (checksums[1] == checksums[2] == checksums[3]):
            failures.append(f"table checksums differ between nodes: {checksums}")
        if len(tally.acked) < 100:
            failures.append(f"only {len(tally.acked)} writes were acknowledged: the load was not steady")
        if tally.bad:
            failures.append(f"answers a client must not see: {tally.bad[:5]}")

        conflict_retries = sum(i.metric("registry_db_conflict_retries_total") for i in instances)
        pool_timeouts = sum(i.metric("registry_db_pool_timeouts_total") for i in instances)
        acknowledged = len(tally.acked)
        print()
        print("cluster test summary")
        print(f"  load: {args.writers} writers through haproxy for {ended - started:.0f} s; "
              f"{acknowledged} creates acknowledged, {len(tally.found)} found after an unanswered attempt")
        print(f"  answers seen: {dict(sorted((str(k), v) for k, v in tally.statuses.items()))}")
        print(f"  409s retried: {tally.retried_409}; conflict retries in the store: {conflict_retries:.0f}; "
              f"pool timeouts: {pool_timeouts:.0f}")
        print(f"  node 2 rejoined (kill -9, then IST or SST) in {rejoin_seconds:.1f} s")
        print(f"  scheduled audit slots: {len(per_slot)}, each run {'exactly once' if not any('slot' in f for f in failures) else 'NOT exactly once'}")
        print(f"  facilities on each node: {[sum(n for n, _ in counts[k].values()) for k in (1, 2, 3)]}")
        print(f"  result: {'ok' if not failures else 'FAILED'}")
        for f in failures:
            print("  FAIL:", f)
        return 0 if not failures else 1
    finally:
        if balancer:
            balancer.stop()
        for i in instances:
            i.stop()


if __name__ == "__main__":
    sys.exit(main())
