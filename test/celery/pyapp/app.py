"""The Python side of the Celery interop tests: a Celery 5.2 app configured from the environment.

CELERY_BROKER_URL / CELERY_RESULT_BACKEND  redis URLs (a dedicated db per test file)
CELERY_QUEUE                                the default queue (a unique name per test file)
CELERY_VISIBILITY_TIMEOUT                   seconds (kombu's transport option), default 3600
CELERY_ACKS_LATE                            "1" to acknowledge after the task finishes
CELERY_KEYPREFIX                            kombu's global_keyprefix transport option
CELERY_PREFETCH_MULTIPLIER                  default 1 (the benchmark uses Celery's default, 4)
CELERY_BEAT_TASK / CELERY_BEAT_INTERVAL / CELERY_BEAT_ARGS   one beat_schedule entry
"""
import json
import os
import socket
import time

import redis
from celery import Celery

broker_url = os.environ['CELERY_BROKER_URL']
queue = os.environ['CELERY_QUEUE']

app = Celery('tests', broker=broker_url, backend=os.environ.get('CELERY_RESULT_BACKEND', broker_url))
app.conf.update(
    task_default_queue=queue,
    task_serializer='json',
    result_serializer='json',
    accept_content=['json'],
    task_protocol=2,
    task_acks_late=os.environ.get('CELERY_ACKS_LATE') == '1',
    worker_prefetch_multiplier=int(os.environ.get('CELERY_PREFETCH_MULTIPLIER', '1')),
    worker_enable_remote_control=False,
    worker_send_task_events=False,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    broker_transport_options={
        'visibility_timeout': float(os.environ.get('CELERY_VISIBILITY_TIMEOUT', '3600')),
        'global_keyprefix': os.environ.get('CELERY_KEYPREFIX', ''),
    },
    result_extended=True,
)

if os.environ.get('CELERY_BEAT_TASK'):
    app.conf.beat_schedule = {
        'interop-beat': {
            'task': os.environ['CELERY_BEAT_TASK'],
            'schedule': float(os.environ.get('CELERY_BEAT_INTERVAL', '1')),
            'args': json.loads(os.environ.get('CELERY_BEAT_ARGS', '[]')),
            'options': {'queue': queue},
        },
    }

_marks = redis.Redis.from_url(broker_url)


def mark(key, value):
    """Records a run in Redis, so the test sees which tasks ran where and how often."""
    _marks.rpush(key, json.dumps(value))


@app.task(name='tests.add')
def add(x, y):
    return x + y


@app.task(name='tests.echo')
def echo(*args, **kwargs):
    return {'args': list(args), 'kwargs': kwargs}


class InteropError(Exception):
    """A failure the TypeScript side should see with this type and message."""


@app.task(name='tests.fail')
def fail(message):
    raise InteropError(message)


@app.task(name='tests.slow', bind=True)
def slow(self, seconds, mark_key=None):
    if mark_key:
        mark(mark_key, {'id': self.request.id, 'pid': os.getpid(), 'redelivered': bool(self.request.delivery_info.get('redelivered'))})
    time.sleep(seconds)
    return seconds


@app.task(name='tests.record', bind=True)
def record(self, mark_key, value):
    mark(mark_key, {'id': self.request.id, 'value': value, 'priority': self.request.delivery_info.get('priority')})
    return value


@app.task(name='tests.flaky', bind=True, max_retries=5)
def flaky(self):
    if self.request.retries < 2:
        raise self.retry(countdown=0.2, exc=RuntimeError(f'attempt {self.request.retries + 1}'))
    return self.request.retries


@app.task(name='config.celery.debug_task', bind=True)
def debug_task(self, *args, **kwargs):
    """The original project's debug_task, returning what AInfo's system.debug returns for it."""
    return {'received': {'args': list(args), 'kwargs': kwargs}, 'host': socket.gethostname(), 'pid': os.getpid(), 'attempt': self.request.retries + 1}


# The original Django project's tasks, declared with their real signatures as the Django side
# imports them, so that `delay()` checks its arguments as it does there. They run in AInfo's worker
# (ainfo worker --celery-queues); a Python worker that received one would say so.
class RunsInAInfo(Exception):
    """This task was moved to AInfo; its Python body is only a declaration."""


@app.task(name='accounts.tasks.send_verify_email')
def send_verify_email(user_id, email, domain):
    raise RunsInAInfo('accounts.tasks.send_verify_email')


@app.task(name='accounts.tasks.send_reset_pw_email')
def send_reset_pw_email(user_id, email, domain):
    raise RunsInAInfo('accounts.tasks.send_reset_pw_email')


@app.task(name='notifications.tasks.send_mail_to_all')
def send_mail_to_all(title, content, sender_name):
    raise RunsInAInfo('notifications.tasks.send_mail_to_all')
