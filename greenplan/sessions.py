"""Sessions in the database, as Django's own backend keeps them (every node of a deployment shares
them), with the read every request makes written as one plain statement: building the ORM's query
cost three times the lookup itself."""
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        using = router.db_for_read(model)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT session_data, expire_date FROM {model._meta.db_table} "
                           "WHERE session_key = %s AND expire_date > %s",
                           [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # unknown or expired: a new session, as Django's own backend does
            return None
        return model(session_key=self.session_key, session_data=row[0])
