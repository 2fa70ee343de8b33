"""A line-oriented JSON driver for the tests: one command per stdin line, one JSON answer per line.

{"op": "delay", "task": "tests.add", "args": [1, 2], "kwargs": {}}           -> {"id": ...}
{"op": "apply_async", "task": ..., "args": [...], "kwargs": {...}, "options": {...}} -> {"id": ...}
{"op": "send_task", "task": ..., "args": [...], "kwargs": {...}, "options": {...}}   -> {"id": ...}
{"op": "get", "id": ..., "timeout": 20}  -> {"state", "result"} or {"state", "exc_type", "exc_module", "exc_args"}
{"op": "state", "id": ...}               -> {"state": ...}
{"op": "chain", "steps": [["tests.add", [1, 2]], ["tests.add", [10]]]}  -> {"id": last, "ids": [...]}
{"op": "group", "steps": [["tests.add", [1, 2]], ...], "timeout": 20}  -> {"results": [...]} (GroupResult.get)
{"op": "argsrepr", "args": [...], "kwargs": {...}}  -> what as_task_v2 writes in argsrepr/kwargsrepr
Options of send_task may carry "serializer" (e.g. "pickle"); "protocol": 1 sends a protocol 1 message.
"""
import json
import sys

from celery import Celery, chain, group
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import AsyncResult

from app import app

# The same configuration on task protocol 1, for the rejection tests.
app_v1 = Celery('tests_v1', broker=app.conf.broker_url, backend=app.conf.result_backend)
app_v1.conf.update(task_default_queue=app.conf.task_default_queue, task_protocol=1)


def describe_error(result, error):
    return {
        'state': result.state,
        'exc_type': type(error).__name__,
        'exc_module': type(error).__module__,
        'exc_args': [a if isinstance(a, (str, int, float, bool, type(None))) else repr(a) for a in error.args],
    }


def handle(command):
    op = command['op']
    if op in ('delay', 'apply_async', 'send_task'):
        options = command.get('options', {})
        if op == 'delay':
            result = app.tasks[command['task']].delay(*command.get('args', []), **command.get('kwargs', {}))
        elif op == 'apply_async':
            result = app.tasks[command['task']].apply_async(command.get('args', []), command.get('kwargs', {}), **options)
        else:
            sender = app_v1 if command.get('protocol') == 1 else app
            result = sender.send_task(command['task'], command.get('args', []), command.get('kwargs', {}), **options)
        return {'id': result.id}
    if op == 'chain':
        result = chain(*[app.signature(name, args=args) for name, args in command['steps']]).apply_async()
        ids = []
        node = result
        while node is not None:
            ids.insert(0, node.id)
            node = node.parent
        return {'id': result.id, 'ids': ids}
    if op == 'group':
        result = group(*[app.signature(name, args=args) for name, args in command['steps']]).apply_async()
        return {'results': result.get(timeout=command.get('timeout', 20))}
    if op == 'argsrepr':
        message = app.amqp.as_task_v2('id', 'name', args=tuple(command['args']), kwargs=command['kwargs'])
        return {'argsrepr': message.headers['argsrepr'], 'kwargsrepr': message.headers['kwargsrepr']}
    if op == 'get':
        result = AsyncResult(command['id'], app=app)
        try:
            value = result.get(timeout=command.get('timeout', 20))
        except CeleryTimeoutError:
            return {'timeout': True, 'state': result.state}
        except Exception as error:  # the task's own failure, re-raised by get()
            return describe_error(result, error)
        return {'state': result.state, 'result': value, 'date_done': str(result.date_done)}
    if op == 'state':
        return {'state': AsyncResult(command['id'], app=app).state}
    raise ValueError('unknown op ' + op)


print(json.dumps({'ready': True}), flush=True)
for line in sys.stdin:
    if not line.strip():
        continue
    try:
        answer = handle(json.loads(line))
    except Exception as error:
        answer = {'error': f'{type(error).__name__}: {error}'}
    print(json.dumps(answer), flush=True)
