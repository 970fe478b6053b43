"""Safety by whole-command analysis: destructive commands are refused through every wrapper,
and the harmless look-alikes a remediation needs are not."""

from __future__ import annotations

import pytest

from drillbook.runbooks.adapter import REFUSED, CommandAdapter
from drillbook.runbooks.commands import parse_command
from drillbook.runbooks.lint import lint_documents
from drillbook.runbooks.parser import parse_text
from drillbook.runbooks.safety import destructive
from drillbook.stack.spec import StackSpec

DESTRUCTIVE = [
    # through exec wrappers
    "docker exec postgres rm -rf /var/lib/postgresql/data",
    "docker exec -it -u root postgres sh -c 'rm -rf /var/lib/postgresql/data/*'",
    "docker compose exec postgres rm -rf /var/lib/postgresql/data",
    "docker compose -f prod.yml exec -T postgres bash -lc 'rm -r /var/lib/postgresql/data'",
    "docker-compose exec redis rm /data/dump.rdb",
    "kubectl exec -n prod postgres-0 -- rm -rf /var/lib/postgresql/data",
    "kubectl -n prod exec -it deploy/api -c app -- sh -c 'redis-cli -h redis FLUSHALL'",
    "sh -c 'docker volume rm pgdata'",
    "bash -lc \"psql -c 'DROP DATABASE app'\"",
    "ssh db1 'sudo rm -rf /var/lib/postgresql'",
    "oc exec -n db pg-0 -- rm -rf /var/lib/postgresql",
    "sudo -u postgres dropdb app",
    "timeout 30 redis-cli flushall",
    "env PGPASSWORD=x psql -h db -c 'TRUNCATE documents'",
    "nohup redis-cli FLUSHDB &",
    "watch -n 5 'redis-cli flushall'",
    'eval "rm -rf /data"',
    "echo $(redis-cli flushall)",
    # Redis
    "redis-cli EVAL \"return redis.call('flushall')\" 0",
    "redis-cli -h redis -a secret --no-auth-warning FLUSHDB ASYNC",
    "redis-cli SHUTDOWN NOSAVE",
    "redis-cli --scan --pattern 'session:*' | xargs redis-cli DEL",
    # SQL
    "psql -c 'DELETE FROM documents'",
    "psql -c 'delete from documents;'",
    'psql -c "UPDATE api_keys SET active = false"',
    "psql -c 'DELETE FROM jobs WHERE 1=1'",
    "psql -c 'DELETE FROM jobs WHERE true'",
    "psql -U app -d app -c 'SELECT 1; DROP TABLE documents'",
    "psql -c 'ALTER TABLE documents DROP COLUMN body'",
    "echo 'TRUNCATE TABLE request_log' | psql -U app",
    "docker compose exec postgres psql -U app -c 'DROP SCHEMA public CASCADE'",
    "dropdb -h localhost app",
    "mongosh --eval 'db.dropDatabase()'",
    "python3 -c 'client.delete_collection(\"docs\")'",
    # queues
    "celery -A app purge -f",
    "celery -A app amqp queue.purge celery",
    "rabbitmqctl purge_queue ingest",
    # HTTP
    "curl -X DELETE http://localhost:8000/v1/documents/42",
    "curl -XDELETE http://vectordb:8000/api/v2/collections/docs",
    "curl --request DELETE http://localhost:6333/collections/docs",
    "curl -X POST http://localhost:9200/docs/_delete_by_query -d '{}'",
    # Kubernetes
    "kubectl delete deploy api",
    "kubectl delete deployment/api -n prod",
    "kubectl -n ns1 delete ns ns1",
    "kubectl delete pvc data-postgres-0",
    "kubectl delete statefulset postgres",
    "kubectl delete pods --all -n prod",
    "kubectl delete -f k8s/",
    "kubectl drain node-1 --ignore-daemonsets",
    "kubectl cordon node-1",
    "kubectl taint nodes node-1 key=value:NoSchedule",
    "kubectl debug node/node-1 --image=busybox -- sh -c 'echo x > /host/etc/cron.d/x'",
    "kubectl debug -it nodes/node-1 --image=busybox",
    "kubectl --kubeconfig /x delete namespace kube-system",
    "kubectl --request-timeout 30s --user admin delete namespace kube-system",
    "kubectl --token t exec deploy/redis -- redis-cli FLUSHALL",
    "helm uninstall api",
    # Docker and the host
    "docker rm -fv redis",
    "docker rm -f -v redis",
    "docker container rm --volumes redis",
    "docker volume rm pgdata",
    "docker volume prune -f",
    "docker system prune -a",
    "docker compose down -v",
    "docker compose down --volumes",
    "docker rmi api:latest",
    "mkfs.ext4 /dev/sdb1",
    "dd if=/dev/zero of=/dev/sda bs=1M",
    "rm -rf /var/lib/redis",
    "rm -fr ./data",
    "rm /var/lib/postgresql/15/main/pg_wal/000000010000000000000001",
    "find /var/lib/postgresql -delete",
    "find /data -name '*' -delete",
    "find /data -name '*.rdb' -delete",
    "truncate -s 0 /data/appendonly.aof",
    "cat /dev/zero > /dev/sda",
    "iptables -F",
    "sudo systemctl restart docker",
    "systemctl stop postgresql",
    "terraform destroy -auto-approve",
]

HARMLESS = [
    # A DELETE or UPDATE naming its rows is a targeted fix, not a wipe.
    "psql -c 'DELETE FROM jobs WHERE id = 42'",
    "psql -c \"UPDATE api_keys SET active = true WHERE key_id = 'k1'\"",
    "psql -c \"SELECT 'DROP TABLE x' AS note\"",
    "psql -c 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = $$idle$$'",
    "docker compose exec postgres pg_restore -U app -d app --clean --if-exists /backup.dump",
    "kubectl delete pod api-7d9f8-x2x4z",
    "kubectl delete pod/api-0 -n prod",
    "kubectl get deploy -n prod",
    "kubectl rollout restart deployment/api",
    "kubectl rollout undo deployment/api -n prod",
    "kubectl scale deployment/api --replicas=0",
    "docker restart redis",
    "docker rm -f stuck-job",
    "docker compose down",
    "docker exec redis redis-cli DEL session:42",
    "redis-cli CONFIG SET maxmemory-policy allkeys-lru",
    "redis-cli SHUTDOWN SAVE",
    "redis-cli --scan --pattern 'session:*' | head -5",
    "rm /tmp/worker.pid",
    "docker exec worker rm -f /tmp/worker.lock",
    "truncate -s 0 /var/log/app/app.log",
    "find /var/log/app -name '*.gz' -mtime +7 -delete",
    'docker compose exec redis find /data -maxdepth 1 -name "*.fill" -delete',
    "curl -X DELETE http://localhost:8474/proxies/api-redis/toxics/latency",
    "curl -X DELETE http://localhost:9093/api/v2/silence/abc",
    'curl -X POST http://localhost:8000/v1/query -d \'{"q": "delete from docs"}\'',
    "grep -i 'drop table' /var/log/postgresql.log",
    "echo rm -rf is not run here",
    "celery -A app inspect active",
    "docker exec api sh -c 'ls -la /tmp'",
    "bash -lc 'kubectl get pods'",
    "kubectl scale deployment worker --replicas=0",
    "kubectl debug api-0 -it --image=busybox --target=api",
    "kubectl -v 6 --context prod get pods",
    "dd if=/dev/zero of=/tmp/fill bs=1M count=10",
]


@pytest.mark.parametrize("command", DESTRUCTIVE)
def test_destructive_commands_are_refused_through_wrappers(spec: StackSpec, command: str) -> None:
    reason = destructive(parse_command(command, 1))
    assert reason, command
    assert CommandAdapter(spec, refuse_destructive=True).translate(command).admission == REFUSED
    # Without the refusal it runs only when it stays in the drill's containers, saying why
    # it is destructive; never silently.
    t = CommandAdapter(spec).translate(command)
    assert t.admission == REFUSED or (t.runnable and t.destructive == reason), command


@pytest.mark.parametrize("command", HARMLESS)
def test_harmless_look_alikes_are_not_refused(spec: StackSpec, command: str) -> None:
    assert destructive(parse_command(command, 1)) is None, command
    assert CommandAdapter(spec).translate(command).admission != REFUSED


def test_lint_and_the_executor_share_the_judgement(spec: StackSpec) -> None:
    lines = DESTRUCTIVE[:10]
    body = "\n".join(lines)
    text = f"---\nid: x\nalert: X\nmttr: 5m\n---\n# X\n## Resolution\n```bash\n{body}\n```\n"
    findings = lint_documents([parse_text(text, "x.md")], spec)
    said = {f.line: f.severity for f in findings if f.rule == "destructive"}
    assert sorted(said) == list(range(9, 9 + len(lines)))
    adapter = CommandAdapter(spec)
    for line, command in enumerate(lines, start=9):
        refused = adapter.translate(command).admission == REFUSED
        assert said[line] == ("error" if refused else "warning"), command
